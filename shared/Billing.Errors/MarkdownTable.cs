using System.Globalization;
using System.Text;

namespace Billing.Errors;

/// <summary>GitHub-flavoured Markdown tables of error rows.</summary>
internal static class MarkdownTable
{
    private const int MaxMessage = 120;

    public static void Errors(StringBuilder md, IReadOnlyList<ErrorRecord> rows)
    {
        if (rows.Count == 0)
        {
            md.AppendLine("_none_").AppendLine();
            return;
        }
        md.AppendLine("| id | status | service | error type | code | occurrences | first seen (UTC) | message | issue |");
        md.AppendLine("|---:|---|---|---|---|---:|---|---|---|");
        foreach (var r in rows)
        {
            var issue = string.IsNullOrEmpty(r.IssueLink) ? "" : $"[issue]({r.IssueLink})";
            md.AppendLine(Row(r.Id.ToString(CultureInfo.InvariantCulture), r.Status.ToName(), r.Service, r.ErrorType,
                r.Code, r.OccurrenceCount.ToString("N0", CultureInfo.InvariantCulture), Time(r.CreatedAt),
                SlackText.OneLine(r.Message, MaxMessage), issue));
        }
        md.AppendLine();
    }

    public static void TopFingerprints(StringBuilder md, IReadOnlyList<ErrorRecord> rows)
    {
        if (rows.Count == 0)
        {
            md.AppendLine("_none_").AppendLine();
            return;
        }
        md.AppendLine("| fingerprint | occurrences | status | service | error type | code | last seen (UTC) |");
        md.AppendLine("|---|---:|---|---|---|---|---|");
        foreach (var r in rows)
            md.AppendLine(Row(r.Fingerprint, r.OccurrenceCount.ToString("N0", CultureInfo.InvariantCulture),
                r.Status.ToName(), r.Service, r.ErrorType, r.Code, Time(r.LastSeenAt)));
        md.AppendLine();
    }

    public static string Time(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    // A pipe would end the cell and a line break the row; both occur in real error messages.
    private static string Row(params string[] cells) =>
        "| " + string.Join(" | ", cells.Select(c => c.Replace("\\", "\\\\").Replace("|", "\\|").ReplaceLineEndings(" "))) + " |";
}
