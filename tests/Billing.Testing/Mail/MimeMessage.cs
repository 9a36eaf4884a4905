using System.Text;
using System.Text.RegularExpressions;

namespace Billing.Testing;

/// <summary>
/// Just enough of RFC 5322/2045–2047 to read what the mailer sent: folded headers, encoded words, nested
/// multiparts, base64 and quoted-printable. System.Net.Mail can write MIME but cannot read it.
/// </summary>
public sealed partial class MimePart
{
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }
    public required string MediaType { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public required byte[] Content { get; init; }
    public required IReadOnlyList<MimePart> Parts { get; init; }

    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public IEnumerable<string> HeaderValues(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public bool IsAttachment =>
        (Header("Content-Disposition") ?? "").TrimStart().StartsWith("attachment", StringComparison.OrdinalIgnoreCase);

    public string? FileName =>
        ParseParameters(Header("Content-Disposition") ?? "").Parameters.GetValueOrDefault("filename") ?? Parameters.GetValueOrDefault("name");

    public string Text => Encoding.GetEncoding(Parameters.GetValueOrDefault("charset") ?? "us-ascii").GetString(Content);

    public IEnumerable<MimePart> Flatten() => Parts.Count == 0 ? [this] : Parts.SelectMany(p => p.Flatten());

    public static MimePart Parse(byte[] raw)
    {
        var (headerText, body) = Split(raw);
        var headers = ParseHeaders(headerText);
        var contentType = headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value ?? "text/plain; charset=us-ascii";
        var (mediaType, parameters) = ParseParameters(contentType);
        var encoding = (headers.FirstOrDefault(h => h.Key.Equals("Content-Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Value ?? "7bit")
            .Trim().ToLowerInvariant();

        if (mediaType.StartsWith("multipart/", StringComparison.Ordinal))
        {
            var boundary = parameters.GetValueOrDefault("boundary") ?? throw new FormatException("multipart without boundary");
            return new MimePart
            {
                Headers = headers, MediaType = mediaType, Parameters = parameters, Content = body,
                Parts = SplitMultipart(body, boundary).Select(Parse).ToList(),
            };
        }
        return new MimePart
        {
            Headers = headers, MediaType = mediaType, Parameters = parameters, Parts = [],
            Content = encoding switch
            {
                "base64" => Convert.FromBase64String(new string(Encoding.ASCII.GetString(body).Where(c => !char.IsWhiteSpace(c)).ToArray())),
                "quoted-printable" => DecodeQuotedPrintable(body),
                _ => body,
            },
        };
    }

    private static (string Headers, byte[] Body) Split(byte[] raw)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\n') continue;
            if (i + 1 < raw.Length && raw[i + 1] == '\n') return (Encoding.UTF8.GetString(raw, 0, i), raw[(i + 2)..]);
            if (i + 2 < raw.Length && raw[i + 1] == '\r' && raw[i + 2] == '\n') return (Encoding.UTF8.GetString(raw, 0, i), raw[(i + 3)..]);
        }
        return (Encoding.UTF8.GetString(raw), []);
    }

    private static List<KeyValuePair<string, string>> ParseHeaders(string text)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.Length == 0) continue;
            if (line[0] is ' ' or '\t' && result.Count > 0)
            {
                var last = result[^1];
                result[^1] = new(last.Key, last.Value + " " + line.Trim());
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            result.Add(new(line[..colon].Trim(), DecodeEncodedWords(line[(colon + 1)..].Trim())));
        }
        return result;
    }

    /// <summary>RFC 2047: =?charset?B|Q?text?=, adjacent encoded words joined without the space between them.</summary>
    public static string DecodeEncodedWords(string value)
    {
        var joined = AdjacentWords().Replace(value, "$1");
        return EncodedWord().Replace(joined, m =>
        {
            var encoding = Encoding.GetEncoding(m.Groups[1].Value);
            var bytes = m.Groups[2].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? Convert.FromBase64String(m.Groups[3].Value)
                : DecodeQuotedPrintable(Encoding.ASCII.GetBytes(m.Groups[3].Value.Replace('_', ' ')));
            return encoding.GetString(bytes);
        });
    }

    public static (string MediaType, Dictionary<string, string> Parameters) ParseParameters(string header)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in header)
        {
            if (c == '"') quoted = !quoted;
            if (c == ';' && !quoted)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        parts.Add(current.ToString());
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in parts.Skip(1))
        {
            var eq = p.IndexOf('=');
            if (eq <= 0) continue;
            parameters[p[..eq].Trim()] = p[(eq + 1)..].Trim().Trim('"');
        }
        return (parts[0].Trim().ToLowerInvariant(), parameters);
    }

    private static IEnumerable<byte[]> SplitMultipart(byte[] body, string boundary)
    {
        var text = Encoding.Latin1.GetString(body).Replace("\r\n", "\n");
        var delimiter = "--" + boundary;
        var sections = new List<byte[]>();
        var lines = text.Split('\n');
        StringBuilder? part = null;
        foreach (var line in lines)
        {
            if (line.TrimEnd() == delimiter + "--")
            {
                if (part is not null) sections.Add(Encoding.Latin1.GetBytes(TrimFinalNewline(part)));
                break;
            }
            if (line.TrimEnd() == delimiter)
            {
                if (part is not null) sections.Add(Encoding.Latin1.GetBytes(TrimFinalNewline(part)));
                part = new StringBuilder();
                continue;
            }
            part?.Append(line).Append('\n');
        }
        return sections;

        // The line break before a delimiter belongs to the delimiter (RFC 2046 5.1.1).
        static string TrimFinalNewline(StringBuilder sb) => sb.Length > 0 && sb[^1] == '\n' ? sb.ToString(0, sb.Length - 1) : sb.ToString();
    }

    public static byte[] DecodeQuotedPrintable(byte[] input)
    {
        var text = Encoding.Latin1.GetString(input).Replace("\r\n", "\n");
        var output = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '=')
            {
                output.Add((byte)c);
                continue;
            }
            if (i + 1 < text.Length && text[i + 1] == '\n')
            {
                i += 1; // soft line break
                continue;
            }
            if (i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                output.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
                continue;
            }
            output.Add((byte)c);
        }
        return output.ToArray();
    }

    [GeneratedRegex(@"(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)")]
    private static partial Regex AdjacentWords();

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWord();
}

/// <summary>A received message: its top-level part plus shortcuts to what the tests look at.</summary>
public sealed class MimeMessage
{
    private MimeMessage(MimePart root) => Root = root;

    public MimePart Root { get; }
    public string? Header(string name) => Root.Header(name);
    public string Subject => Header("Subject") ?? "";
    public string? MessageId => Header("Message-ID");
    /// <summary>The envelope recipients as the SMTP server recorded them (comma-separated).</summary>
    public string? EnvelopeTo => Header("X-RcptTo");

    public MimePart? TextBody => Root.Flatten().FirstOrDefault(p => p.MediaType == "text/plain" && !p.IsAttachment);
    public MimePart? HtmlBody => Root.Flatten().FirstOrDefault(p => p.MediaType == "text/html" && !p.IsAttachment);
    public IReadOnlyList<MimePart> Attachments => Root.Flatten().Where(p => p.IsAttachment).ToList();

    public static MimeMessage Parse(byte[] raw) => new(MimePart.Parse(raw));
}
