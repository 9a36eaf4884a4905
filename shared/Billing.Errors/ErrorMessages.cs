using System.Text.RegularExpressions;

namespace Billing.Errors;

/// <summary>The cause in an error message: ids, numbers, times and addresses taken out, so the same failure of 219
/// different invoices reads the same.</summary>
public static partial class ErrorMessages
{
    /// <summary>Long enough for any real cause; a message carrying a whole payload is cut here.</summary>
    public const int MaxNormalisedLength = 1000;

    public static string Normalise(string? message)
    {
        if (string.IsNullOrWhiteSpace(message)) return "";
        var s = Guids().Replace(message, "<id>");
        s = Timestamps().Replace(s, "<time>");
        s = Times().Replace(s, "<time>");
        s = Emails().Replace(s, "<email>");
        s = PrefixedIds().Replace(s, "<id>");
        s = HexIds().Replace(s, "<id>");
        s = Numbers().Replace(s, "<n>");
        s = Spaces().Replace(s, " ").Trim();
        return s.Length <= MaxNormalisedLength ? s : s[..MaxNormalisedLength];
    }

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")]
    private static partial Regex Guids();

    // 2026-11-02, 2026-11-02T08:00:01.123Z, 2026-11-02 08:00:01+01:00
    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?")]
    private static partial Regex Timestamps();

    [GeneratedRegex(@"\b\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\b")]
    private static partial Regex Times();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Emails();

    // Stripe-style ids: in_1NxYz…, re_3AbC…, evt_…
    [GeneratedRegex(@"\b[a-z]{2,5}_[A-Za-z0-9]{8,}\b")]
    private static partial Regex PrefixedIds();

    // Trace ids, hashes and other long hex runs (with at least one digit, so a long word stays a word).
    [GeneratedRegex(@"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{12,}\b")]
    private static partial Regex HexIds();

    [GeneratedRegex(@"\d+(?:[.,]\d+)*")]
    private static partial Regex Numbers();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
