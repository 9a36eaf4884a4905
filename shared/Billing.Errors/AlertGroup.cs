namespace Billing.Errors;

/// <summary>New errors of one cause within a window. Keeps only a count and a few examples, so memory stays
/// flat however many errors a storm brings.</summary>
internal sealed class AlertGroup(string service, string errorType, string code, string firstMessage, string? firstTraceId)
{
    private const int ExamplesPerKind = 3;

    // Kinds in the order they are shown; an error names an invoice, else an account, else a business key.
    private static readonly string[] Kinds = ["invoices", "accounts", "keys"];
    private readonly int[] _counts = new int[Kinds.Length];
    private readonly List<string>[] _examples = [[], [], []];

    public string Service { get; } = service;
    public string ErrorType { get; } = errorType;
    public string Code { get; } = code;
    public string FirstMessage { get; } = firstMessage;
    public string? TraceId { get; private set; } = firstTraceId;
    public int Count { get; private set; }

    /// <summary>The error group's id in the error log, when known.</summary>
    public long? ErrorId { get; set; }

    public void Add(ErrorReport report)
    {
        Count++;
        TraceId ??= report.TraceId;
        var (kind, key) = report switch
        {
            { InvoiceId: { } invoice } => (0, invoice.ToString("D")),
            { AccountId: { } account } => (1, account.ToString("D")),
            { BusinessKey: { Length: > 0 } businessKey } => (2, businessKey),
            _ => (-1, ""),
        };
        if (kind < 0) return;
        _counts[kind]++;
        if (_examples[kind].Count < ExamplesPerKind) _examples[kind].Add(key);
    }

    /// <summary>"invoices: a, b, c … and 47 more"; empty when no error named anything.</summary>
    public string DescribeKeys()
    {
        var parts = new List<string>();
        for (var i = 0; i < Kinds.Length; i++)
        {
            if (_counts[i] == 0) continue;
            var shown = string.Join(", ", _examples[i].Select(SlackText.Escape));
            var more = _counts[i] - _examples[i].Count;
            parts.Add(more > 0 ? $"{Kinds[i]}: {shown} … and {more} more" : $"{Kinds[i]}: {shown}");
        }
        return string.Join("; ", parts);
    }
}
