using System.Security.Cryptography;

namespace Billing.Pdf;

/// <summary>Storage keys and their rules. The same rules hold for every backend, so a key that works on disk works in S3.</summary>
public static class PdfKeys
{
    private const int MaxKeyLength = 512;

    public static string For(Guid accountId, Guid invoiceId) => $"{accountId:D}/{invoiceId:D}.pdf";

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless the key is relative segments of letters, digits, '-', '_'
    /// and '.', none empty, none starting with '.' (so no "..", no hidden or temporary files), no absolute path.
    /// </summary>
    public static void Validate(string key)
    {
        if (string.IsNullOrEmpty(key)) throw new ArgumentException("The storage key is empty.", nameof(key));
        if (key.Length > MaxKeyLength) throw new ArgumentException($"The storage key is longer than {MaxKeyLength} characters.", nameof(key));
        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment[0] == '.')
                throw new ArgumentException($"The storage key '{key}' has an empty, relative or hidden path segment.", nameof(key));
            foreach (var c in segment)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
                    throw new ArgumentException($"The storage key '{key}' contains the character '{c}'; allowed are letters, digits, '-', '_', '.' and '/'.", nameof(key));
            }
        }
    }

    internal static string Sha256Hex(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
