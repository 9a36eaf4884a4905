using System.Globalization;
using System.Text;

namespace Billing.Errors;

/// <summary>The runbook's daily and weekly error summaries. Windows are half-open, (now − length, now]:
/// an error created exactly at the start belongs to the previous summary, so none is counted twice.</summary>
public static class SummaryBuilder
{
    private const int MaxSlackLines = 15;
    private const int TopFingerprintCount = 10;

    /// <summary>Errors created in the last 24 h, and older ones still open, needing attention or in progress.</summary>
    public static ErrorSummary Daily(IEnumerable<ErrorRecord> all, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(all);
        var start = now - TimeSpan.FromDays(1);
        var rows = all.Where(r => r.CreatedAt <= now).ToList();
        var created = Sorted(rows.Where(r => r.CreatedAt > start));
        var stillOpen = Sorted(rows.Where(r => r.CreatedAt <= start && r.IsUnresolved));

        var title = $"Error log — daily summary to {MarkdownTable.Time(now)} UTC";
        var md = new StringBuilder().AppendLine($"## {title}").AppendLine();
        md.AppendLine($"**{created.Count} new** in the last 24 h, **{stillOpen.Count} older still unresolved** " +
                      $"({Breakdown(stillOpen)}).").AppendLine();
        md.AppendLine("### New in the last 24 h").AppendLine();
        MarkdownTable.Errors(md, created);
        md.AppendLine("### Older, still unresolved").AppendLine();
        MarkdownTable.Errors(md, stillOpen);

        var slack = new StringBuilder($"*{SlackText.Escape(title)}*: {created.Count} new, {stillOpen.Count} older still unresolved");
        SlackLines(slack, created.Concat(stillOpen).ToList());
        return new ErrorSummary(title, md.ToString(), slack.ToString());
    }

    /// <summary>The last 7 days: errors created, errors resolved, everything still unresolved, and the
    /// fingerprints seen in the week with the most occurrences.</summary>
    public static ErrorSummary Weekly(IEnumerable<ErrorRecord> all, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(all);
        var start = now - TimeSpan.FromDays(7);
        var rows = all.Where(r => r.CreatedAt <= now).ToList();
        var created = Sorted(rows.Where(r => r.CreatedAt > start));
        var resolved = Sorted(rows.Where(r => r.Status == ErrorStatus.Resolved
                                              && r.ResolvedAt is { } at && at > start && at <= now));
        var stillOpen = Sorted(rows.Where(r => r.IsUnresolved));
        var top = rows.Where(r => r.LastSeenAt > start && r.LastSeenAt <= now)
            .OrderByDescending(r => r.OccurrenceCount).ThenBy(r => r.Id)
            .Take(TopFingerprintCount).ToList();

        var title = $"Error log — weekly summary to {MarkdownTable.Time(now)} UTC";
        var md = new StringBuilder().AppendLine($"## {title}").AppendLine();
        md.AppendLine($"**{created.Count} new**, **{resolved.Count} resolved**, **{stillOpen.Count} still unresolved** " +
                      $"({Breakdown(stillOpen)}) in the last 7 days.").AppendLine();
        md.AppendLine("### New").AppendLine();
        MarkdownTable.Errors(md, created);
        md.AppendLine("### Resolved").AppendLine();
        MarkdownTable.Errors(md, resolved);
        md.AppendLine("### Still unresolved").AppendLine();
        MarkdownTable.Errors(md, stillOpen);
        md.AppendLine("### Top fingerprints by occurrences").AppendLine();
        MarkdownTable.TopFingerprints(md, top);

        var slack = new StringBuilder($"*{SlackText.Escape(title)}*: {created.Count} new, {resolved.Count} resolved, " +
                                      $"{stillOpen.Count} still unresolved");
        SlackLines(slack, stillOpen);
        return new ErrorSummary(title, md.ToString(), slack.ToString());
    }

    private static List<ErrorRecord> Sorted(IEnumerable<ErrorRecord> rows) =>
        rows.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToList();

    private static string Breakdown(IReadOnlyList<ErrorRecord> rows)
    {
        var parts = new[] { ErrorStatus.Open, ErrorStatus.NeedsAttention, ErrorStatus.InProgress }
            .Select(s => $"{rows.Count(r => r.Status == s)} {s.ToName()}");
        return string.Join(", ", parts);
    }

    private static void SlackLines(StringBuilder slack, IReadOnlyList<ErrorRecord> rows)
    {
        foreach (var r in rows.Take(MaxSlackLines))
        {
            slack.Append('\n').Append(CultureInfo.InvariantCulture,
                $"• #{r.Id} {SlackText.Escape(r.Service)} {SlackText.Escape(r.ErrorType)}");
            if (r.Code.Length > 0) slack.Append('/').Append(SlackText.Escape(r.Code));
            slack.Append(CultureInfo.InvariantCulture, $" ×{r.OccurrenceCount} — {r.Status.ToName()}");
        }
        if (rows.Count > MaxSlackLines) slack.Append('\n').Append(CultureInfo.InvariantCulture, $"… and {rows.Count - MaxSlackLines} more");
    }
}
