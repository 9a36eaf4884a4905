using System.Text.RegularExpressions;

namespace Billing.Errors.Tests;

public class When_summarising_the_error_log
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    private static ErrorRecord Error(long id, DateTimeOffset created, ErrorStatus status = ErrorStatus.Open,
        int occurrences = 1, DateTimeOffset? lastSeen = null, DateTimeOffset? resolvedAt = null, string message = "boom") =>
        new(id, $"fp{id:000}", "pdf-renderer", "ValidationException", $"code_{id}", message, status, created, created,
            lastSeen ?? created, occurrences, ResolvedAt: resolvedAt);

    // Ids in the first column of the table rows under a heading, up to the next heading.
    private static long[] IdsUnder(string markdown, string heading)
    {
        var section = markdown.Split("### " + heading)[1].Split("###")[0];
        return Regex.Matches(section, @"^\| (\d+) \|", RegexOptions.Multiline).Select(m => long.Parse(m.Groups[1].Value)).ToArray();
    }

    [Fact]
    public void Daily_lists_errors_of_the_last_24_hours_and_older_unresolved_ones()
    {
        var all = new[]
        {
            Error(1, Now.AddHours(-1)),                                        // new
            Error(2, Now.AddDays(-1).AddSeconds(1), ErrorStatus.Resolved),      // new, just inside
            Error(3, Now.AddDays(-1)),                                          // exactly at the start: older, open
            Error(4, Now.AddDays(-3), ErrorStatus.NeedsAttention),              // older, unresolved
            Error(5, Now.AddDays(-3), ErrorStatus.InProgress),                  // older, unresolved
            Error(6, Now.AddDays(-2), ErrorStatus.Resolved),                    // older, resolved: out
            Error(7, Now.AddMinutes(1)),                                        // after now: out
        };

        var summary = SummaryBuilder.Daily(all, Now);

        Assert.Equal([2, 1], IdsUnder(summary.Markdown, "New in the last 24 h"));
        Assert.Equal([4, 5, 3], IdsUnder(summary.Markdown, "Older, still unresolved"));
        Assert.Contains("**2 new** in the last 24 h, **3 older still unresolved** (1 open, 1 needs_attention, 1 in_progress)", summary.Markdown);
        Assert.StartsWith("*Error log — daily summary to 2026-11-21 06:00 UTC*: 2 new, 3 older still unresolved", summary.SlackText);
        Assert.Equal(5, Regex.Matches(summary.SlackText, "^• #", RegexOptions.Multiline).Count);
        Assert.DoesNotContain("#6 ", summary.SlackText);
    }

    [Fact]
    public void Daily_says_none_for_an_empty_log()
    {
        var summary = SummaryBuilder.Daily([], Now);
        Assert.Equal(2, Regex.Matches(summary.Markdown, "_none_").Count);
        Assert.Equal("*Error log — daily summary to 2026-11-21 06:00 UTC*: 0 new, 0 older still unresolved", summary.SlackText);
    }

    [Fact]
    public void Weekly_lists_new_resolved_unresolved_and_top_fingerprints_of_the_last_7_days()
    {
        var all = new[]
        {
            Error(1, Now.AddDays(-2), occurrences: 40, lastSeen: Now.AddHours(-1)),                          // new, open
            Error(2, Now.AddDays(-6), ErrorStatus.Resolved, 7, Now.AddDays(-5), resolvedAt: Now.AddDays(-5)),  // new, resolved
            Error(3, Now.AddDays(-7), ErrorStatus.InProgress, 900, lastSeen: Now.AddDays(-1)),                // boundary: not new, unresolved
            Error(4, Now.AddDays(-30), ErrorStatus.Resolved, 3, Now.AddDays(-7), resolvedAt: Now.AddDays(-7)), // resolved at boundary: out
            Error(5, Now.AddDays(-30), ErrorStatus.Resolved, 2, Now.AddDays(-10), resolvedAt: Now.AddDays(-1)),// old, resolved this week
            Error(6, Now.AddDays(-20), occurrences: 5000, lastSeen: Now.AddDays(-8)),                         // unresolved, not seen this week
        };

        var summary = SummaryBuilder.Weekly(all, Now);

        Assert.Equal([2, 1], IdsUnder(summary.Markdown, "New"));
        Assert.Equal([5, 2], IdsUnder(summary.Markdown, "Resolved"));
        Assert.Equal([6, 3, 1], IdsUnder(summary.Markdown, "Still unresolved"));
        var top = summary.Markdown.Split("### Top fingerprints by occurrences")[1];
        var fingerprints = Regex.Matches(top, @"^\| (fp\d+) \| ([\d,]+) \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value + "=" + m.Groups[2].Value);
        Assert.Equal(["fp003=900", "fp001=40", "fp002=7"], fingerprints);
        Assert.StartsWith("*Error log — weekly summary to 2026-11-21 06:00 UTC*: 2 new, 2 resolved, 3 still unresolved", summary.SlackText);
    }

    [Fact]
    public void Keeps_table_rows_intact_for_messages_with_pipes_and_line_breaks()
    {
        var summary = SummaryBuilder.Daily([Error(1, Now.AddHours(-1), message: "a | b\nc")], Now);
        Assert.Contains(@"| a \| b c |", summary.Markdown);
    }

    [Fact]
    public void Refuses_a_missing_list()
    {
        Assert.Throws<ArgumentNullException>(() => SummaryBuilder.Weekly(null!, Now));
    }
}
