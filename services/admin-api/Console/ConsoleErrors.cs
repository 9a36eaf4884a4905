using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing.Errors;
using Billing.Errors.Infrastructure;
using Billing.Ledger;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>The error log's filter as typed (shown again in its form and kept in the pager's links).</summary>
public sealed record ErrorFilter(string? Status, string? Type, string? Service, string? RunId, string? SeenFrom, string? SeenTo)
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd"];

    public bool IsEmpty => new[] { Status, Type, Service, RunId, SeenFrom, SeenTo }.All(string.IsNullOrWhiteSpace);

    /// <summary>The query string of the filter (no key): <c>status=open&amp;service=mailer</c>, empty when nothing is set.</summary>
    public string QueryString() => string.Join("&", new[]
        {
            ("status", Status), ("type", Type), ("service", Service), ("run_id", RunId), ("seen_from", SeenFrom), ("seen_to", SeenTo),
        }
        .Where(p => !string.IsNullOrWhiteSpace(p.Item2))
        .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!.Trim())}"));

    /// <summary>The library's query for the filter; what cannot be read is added to <paramref name="problems"/> under
    /// the field's name. Dates are UTC days: from the start of the first to the end of the last.</summary>
    public ErrorQuery ToQuery(Dictionary<string, string> problems)
    {
        ErrorStatus? status = null;
        if (!string.IsNullOrWhiteSpace(Status))
        {
            if (ErrorStatuses.TryParse(Status.Trim(), out var s)) status = s;
            else problems["status"] = ErrorStatuses.UnknownMessage(Status);
        }
        Guid? run = null;
        if (!string.IsNullOrWhiteSpace(RunId))
        {
            if (Guid.TryParse(RunId.Trim(), out var r)) run = r;
            else problems["run_id"] = $"'{RunId}' is not a run id (a UUID such as 0199a1b2-…)";
        }
        var from = Date("seen_from", SeenFrom, problems);
        var to = Date("seen_to", SeenTo, problems);
        if (from is { } f && to is { } t && t < f) problems["seen_to"] = $"{SeenTo} is before {SeenFrom}";
        static string? Text(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        return new ErrorQuery(status, run, Text(Type), Service: Text(Service),
            SeenFrom: from is { } day ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
            SeenBefore: to is { } last ? new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null);
    }

    private static DateOnly? Date(string field, string? text, Dictionary<string, string> problems)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateOnly.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        problems[field] = $"'{text}' is not a date; expected yyyy-MM-dd such as 2026-11-02";
        return null;
    }
}

/// <summary>One page of the error log: the groups with what each hit, the total the filter matches, and the keys of
/// this page (<c>After</c>) and the next (<c>Next</c>: the last group shown).</summary>
public sealed record ErrorLogModel(
    ErrorFilter Filter,
    IReadOnlyDictionary<string, string> Problems,
    IReadOnlyList<(ErrorRecord Record, AffectedCounts Affected)> Rows,
    int Total,
    long? After,
    long? Next);

/// <summary>The invoices, accounts, runs or business keys of one kind an error group hit: the first few and how many in all.</summary>
public sealed record AffectedSection(string Kind, int Total, IReadOnlyList<AffectedSubject> Items)
{
    public string Title => ConsoleErrorText.KindTitle(Kind);
}

/// <summary>An error group as its page shows it.</summary>
public sealed record ErrorDetailModel(ErrorRecord Record, AffectedCounts Counts, IReadOnlyList<AffectedSection> Affected, string? TraceUrl)
{
    public IReadOnlyList<ErrorStatus> AllowedNext => ErrorTransitions.AllowedFrom(Record.Status);

    public string? PrettyPayload => ConsoleErrorText.PrettyJson(Record.Payload);
}

/// <summary>The change form as sent, shown again with its problems (field name → message) when nothing was written.</summary>
public sealed record ErrorChangeForm(string? Status, string Note, string IssueLink, IReadOnlyDictionary<string, string> Problems);

/// <summary>One block of a summary's Markdown: a heading, a paragraph, or a table (first row the header).</summary>
public sealed record SummaryBlock(string Kind, string Text, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<bool> Numeric)
{
    public const string Heading = "heading", Paragraph = "paragraph", Table = "table";
}

/// <summary>A reconciliation as <c>/admin/reconcile</c> runs it, with each drift's invoice (number and currency) when known.</summary>
public sealed record ReconcileModel(ReconcileReport Report, bool StripeChecked, IReadOnlyDictionary<Guid, (string Number, string Currency)> Invoices, DateTimeOffset At);

/// <summary>How the console writes error statuses, kinds, payloads, summaries and drift amounts.</summary>
public static partial class ConsoleErrorText
{
    public const int AffectedShown = 20;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A status in words with a symbol, so that it reads without colour; <c>Css</c> only adds colour.</summary>
    public static (string Symbol, string Label, string Css) Status(ErrorStatus status) => status switch
    {
        ErrorStatus.Open => ("●", "Open", "open"),
        ErrorStatus.NeedsAttention => ("⚠", "Needs attention", "attention"),
        ErrorStatus.InProgress => ("▶", "In progress", "running"),
        ErrorStatus.Resolved => ("✓", "Resolved", "completed"),
        _ => ("?", status.ToString(), "unknown"),
    };

    public static string Label(ErrorStatus status) => Status(status).Label;

    public static string KindTitle(string kind) => kind switch
    {
        "invoice" => "Invoices",
        "account" => "Accounts",
        "run" => "Runs",
        "key" => "Business keys",
        _ => kind,
    };

    /// <summary>The console page of an affected subject, or null for business keys and ids that are no UUID.</summary>
    public static string? Link(string kind, string subject) =>
        Guid.TryParse(subject, out var id) && kind is "invoice" or "account" or "run" ? $"{ConsolePaths.Root}/{kind}s/{id}" : null;

    public static string Affected(AffectedCounts a)
    {
        var parts = new List<string>();
        void Add(int n, string one, string many) { if (n > 0) parts.Add($"{ConsoleText.N(n)} {(n == 1 ? one : many)}"); }
        Add(a.Invoices, "invoice", "invoices");
        Add(a.Accounts, "account", "accounts");
        Add(a.Runs, "run", "runs");
        Add(a.Keys, "key", "keys");
        return parts.Count == 0 ? "—" : string.Join(", ", parts);
    }

    /// <summary>The payload indented, or as stored when it is not JSON.</summary>
    public static string? PrettyJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>The blocks of a summary's Markdown (the headings, paragraphs and tables <see cref="SummaryBuilder"/> writes).</summary>
    public static IReadOnlyList<SummaryBlock> Blocks(string markdown)
    {
        var blocks = new List<SummaryBlock>();
        List<IReadOnlyList<string>>? rows = null;
        IReadOnlyList<bool> numeric = [];
        void EndTable()
        {
            if (rows is { Count: > 0 }) blocks.Add(new SummaryBlock(SummaryBlock.Table, "", rows, numeric));
            rows = null;
        }
        foreach (var raw in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('|'))
            {
                var cells = Cells(line);
                if (rows is null) rows = [cells];
                else if (rows.Count == 1 && cells.All(c => SeparatorCell().IsMatch(c))) numeric = cells.Select(c => c.EndsWith(':')).ToList();
                else rows.Add(cells);
                continue;
            }
            EndTable();
            if (line.Length == 0 || line.StartsWith("## ", StringComparison.Ordinal)) continue;
            if (line.StartsWith("### ", StringComparison.Ordinal)) blocks.Add(new SummaryBlock(SummaryBlock.Heading, line[4..], [], []));
            else blocks.Add(new SummaryBlock(SummaryBlock.Paragraph, line == "_none_" ? "none" : line.Replace("**", "", StringComparison.Ordinal), [], []));
        }
        EndTable();
        return blocks;
    }

    /// <summary>A cell that is a Markdown link <c>[text](url)</c>: its text and URL.</summary>
    public static (string Text, string Url)? CellLink(string cell) =>
        MarkdownLink().Match(cell) is { Success: true } m ? (m.Groups[1].Value, m.Groups[2].Value) : null;

    // "| a | b\|c |": cells split on unescaped pipes, "\|" and "\\" unescaped.
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length && line[i + 1] is '|' or '\\') cell.Append(line[++i]);
            else if (c == '|')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else cell.Append(c);
        }
        cells.Add(cell.ToString().Trim());
        return cells.Skip(1).Take(cells.Count - 2).ToList();
    }

    [GeneratedRegex("^:?-+:?$")]
    private static partial Regex SeparatorCell();

    [GeneratedRegex(@"^\[([^\]]*)\]\((https?://[^)\s]+)\)$")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^(-?\d+) ([A-Z]{3})$")]
    private static partial Regex AmountWithCurrency();

    /// <summary>A drift kind in words.</summary>
    public static string DriftKind(string kind) => kind switch
    {
        DriftKinds.MissingInLedger => "Missing in the ledger",
        DriftKinds.LedgerAmountMismatch => "Ledger amount differs",
        DriftKinds.MissingInStripe => "Missing in Stripe",
        DriftKinds.StripeAmountMismatch => "Stripe amount differs",
        DriftKinds.StatusMismatch => "Status differs from Stripe",
        DriftKinds.EmailedNotSynced => "Emailed but not in the ledger",
        _ => kind,
    };

    /// <summary>A drift's expected or actual value: minor units in the invoice's currency (or a currency given with
    /// them) as money, anything else (a status, a Stripe id) as it is.</summary>
    public static string DriftValue(string? value, string? currency)
    {
        if (value is null) return "—";
        if (currency is not null && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var minor))
            return ConsoleText.Money(minor, currency);
        if (AmountWithCurrency().Match(value) is { Success: true } m && long.TryParse(m.Groups[1].Value, CultureInfo.InvariantCulture, out var amount))
            return ConsoleText.Money(amount, m.Groups[2].Value);
        return value;
    }

    /// <summary>A decimal number of minor units as money when it is whole, else the number and "minor units".</summary>
    public static string MinorUnits(decimal minor, string? currency) =>
        currency is not null && minor == decimal.Truncate(minor) && minor is >= long.MinValue and <= long.MaxValue
            ? ConsoleText.Money((long)minor, currency)
            : $"{minor.ToString(CultureInfo.InvariantCulture)} {currency ?? ""} minor units".Replace("  ", " ", StringComparison.Ordinal);
}
