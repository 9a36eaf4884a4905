using System.Buffers.Text;
using System.Net.Mail;
using System.Text;

namespace Billing.Mail;

/// <summary>
/// Writes a MIME message (RFC 5322, 2045–2047) as 7-bit bytes with CRLF line endings into one growing buffer.
/// Only what invoice emails need: headers (encoded words for non-ASCII), quoted-printable text, base64, boundaries.
/// </summary>
internal sealed class MimeWriter(int capacity)
{
    private const int MaxLine = 76;
    private static readonly byte[] Hex = "0123456789ABCDEF"u8.ToArray();
    private byte[] _buffer = new byte[Math.Max(capacity, 1024)];
    private int _length;

    public ReadOnlyMemory<byte> ToMemory() => _buffer.AsMemory(0, _length);

    /// <summary>A header whose value is already 7-bit and folded where needed (see <see cref="Text"/>, <see cref="Mailbox"/>).</summary>
    public void Header(string name, string value)
    {
        Ascii(name);
        Ascii(": ");
        Ascii(value);
        Line();
    }

    public void Line() => Ascii("\r\n");

    /// <summary>A delimiter line; a body written before it already ends with the CRLF that belongs to the delimiter.</summary>
    public void Boundary(string boundary, bool last = false)
    {
        Ascii("--");
        Ascii(boundary);
        if (last) Ascii("--");
        Line();
    }

    /// <summary>UTF-8 text as quoted-printable: lines at most 76 characters (soft breaks), CRLF kept as line breaks.</summary>
    public void QuotedPrintable(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        foreach (var line in lines)
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            var column = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                var last = i == bytes.Length - 1;
                var literal = b is >= 33 and <= 126 && b != '=' || b is (byte)' ' or (byte)'\t' && !last;
                var width = literal ? 1 : 3;
                // Keep room for the '=' of a soft break unless this is the line's last character.
                if (column + width > (last ? MaxLine : MaxLine - 1))
                {
                    Ascii("=\r\n");
                    column = 0;
                }
                if (literal) Byte(b);
                else
                {
                    Byte((byte)'=');
                    Byte(Hex[b >> 4]);
                    Byte(Hex[b & 15]);
                }
                column += width;
            }
            Line();
        }
    }

    /// <summary>Base64 in lines of 76 characters, ending with CRLF.</summary>
    public void Base64(ReadOnlySpan<byte> data)
    {
        const int chunk = MaxLine / 4 * 3; // 57 bytes → 76 characters
        Ensure(System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(data.Length) + (data.Length / chunk + 1) * 2);
        for (var at = 0; at < data.Length; at += chunk)
        {
            var piece = data.Slice(at, Math.Min(chunk, data.Length - at));
            System.Buffers.Text.Base64.EncodeToUtf8(piece, _buffer.AsSpan(_length), out _, out var written);
            _length += written;
            Line();
        }
    }

    /// <summary>An address for From/To/Reply-To: <c>addr</c>, <c>Name &lt;addr&gt;</c>, <c>"Name, Inc." &lt;addr&gt;</c> or an encoded name.</summary>
    public static string Mailbox(MailAddress address)
    {
        var name = address.DisplayName;
        if (string.IsNullOrEmpty(name)) return address.Address;
        if (name.All(c => char.IsAsciiLetterOrDigit(c) || c == ' ' || "!#$%&'*+-/=?^_`{|}~".Contains(c)) && name.Trim() == name)
            return $"{name} <{address.Address}>";
        if (name.All(c => c is >= ' ' and <= '~') && name.Length < 200)
            return $"\"{name.Replace("\\", "\\\\").Replace("\"", "\\\"")}\" <{address.Address}>";
        return $"{EncodedWords(name)} <{address.Address}>";
    }

    /// <summary>Unstructured header text (a subject): as is when it is short printable ASCII, else RFC 2047 encoded words.</summary>
    public static string Text(string text) =>
        text.Length <= 900 && text.All(c => c is >= ' ' and <= '~') && !text.Contains("=?") ? text : EncodedWords(text);

    /// <summary>UTF-8 base64 encoded words of at most 75 characters, folded onto continuation lines.</summary>
    private static string EncodedWords(string text)
    {
        var words = new List<string>();
        var runes = text.EnumerateRunes().ToList();
        var bytes = new List<byte>();
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in runes)
        {
            var n = rune.EncodeToUtf8(utf8);
            if (bytes.Count + n > 45) Flush();
            bytes.AddRange(utf8[..n]);
        }
        Flush();
        return string.Join("\r\n ", words);

        void Flush()
        {
            if (bytes.Count == 0) return;
            words.Add("=?utf-8?B?" + Convert.ToBase64String(bytes.ToArray()) + "?=");
            bytes.Clear();
        }
    }

    private void Ascii(string s)
    {
        Ensure(s.Length);
        foreach (var c in s)
        {
            if (c > 127) throw new ArgumentException($"header text must be 7-bit: '{s}'");
            _buffer[_length++] = (byte)c;
        }
    }

    private void Byte(byte b)
    {
        Ensure(1);
        _buffer[_length++] = b;
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length) return;
        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
    }
}
