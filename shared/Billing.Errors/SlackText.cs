namespace Billing.Errors;

/// <summary>Slack reads &lt;, &gt; and &amp; as markup (links, mentions); error text is untrusted and must not
/// turn into a broken link or an @channel.</summary>
internal static class SlackText
{
    public static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>One line, at most <paramref name="max"/> characters: messages can carry whole payloads.</summary>
    public static string OneLine(string text, int max)
    {
        var line = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
