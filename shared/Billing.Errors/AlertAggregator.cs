namespace Billing.Errors;

/// <summary>Turns "a new error was recorded" events into a few grouped chat messages per window, so a
/// storm of 10,000 failures posts a handful of counted lines instead of flooding the channel.
/// Thread-safe: consumers add concurrently while one loop flushes.</summary>
public sealed class AlertAggregator
{
    // Bounds memory if errors arrive with ever-new types or codes; the excess is still counted.
    internal const int MaxGroups = 1000;
    private const int MaxMessageLength = 200;
    private const int OverflowExamples = 5;

    private readonly TimeProvider _time;
    private readonly AlertOptions _options;
    private readonly NoisePolicy _noise;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string, string, string), AlertGroup> _groups = [];
    private readonly List<AlertGroup> _order = [];
    private DateTimeOffset? _windowStart;
    private int _pending;
    private int _ungrouped;
    private long _noiseSuppressed;

    public AlertAggregator(TimeProvider time, AlertOptions options, NoisePolicy? noise = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        _time = time;
        _options = options;
        _noise = noise ?? NoisePolicy.None;
    }

    /// <summary>New errors waiting for the next flush.</summary>
    public int Pending { get { lock (_gate) return _pending; } }

    /// <summary>New errors that matched the noise policy since start: counted, never alerted.</summary>
    public long NoiseSuppressed { get { lock (_gate) return _noiseSuppressed; } }

    /// <summary>True when the current window has run its length and a flush would post.</summary>
    public bool IsDue
    {
        get { lock (_gate) return _windowStart is { } start && _time.GetUtcNow() - start >= _options.Window; }
    }

    /// <summary>Records that a report produced a new fingerprint. False when it is noise and will not alert.</summary>
    public bool Add(ErrorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        lock (_gate)
        {
            if (_noise.IsNoise(report))
            {
                _noiseSuppressed++;
                return false;
            }
            // The window opens with its first error, so a quiet system posts nothing and a lone error waits
            // at most one window.
            _windowStart ??= _time.GetUtcNow();
            _pending++;
            var key = (report.Service, report.ErrorType, report.Code);
            if (!_groups.TryGetValue(key, out var group))
            {
                if (_groups.Count >= MaxGroups)
                {
                    _ungrouped++;
                    return true;
                }
                group = new AlertGroup(report.Service, report.ErrorType, report.Code,
                    SlackText.OneLine(report.Message, MaxMessageLength), report.TraceId);
                _groups[key] = group;
                _order.Add(group);
            }
            group.Add(report);
            return true;
        }
    }

    /// <summary>The window's messages once it is due (or at once with <paramref name="force"/>, e.g. at
    /// shutdown), and a fresh window; empty when nothing is due. Every message starts with its count, and
    /// the counts add up to the errors of the window.</summary>
    public IReadOnlyList<string> Flush(bool force = false)
    {
        List<AlertGroup> groups;
        int ungrouped;
        lock (_gate)
        {
            if (_windowStart is null) return [];
            if (!force && _time.GetUtcNow() - _windowStart.Value < _options.Window) return [];
            groups = [.. _order];
            ungrouped = _ungrouped;
            _groups.Clear();
            _order.Clear();
            _windowStart = null;
            _pending = 0;
            _ungrouped = 0;
        }
        return Compose(groups, ungrouped);
    }

    /// <summary>Flushes due messages into the outbox, where they survive a chat outage.</summary>
    public async Task<int> FlushToAsync(IAlertOutbox outbox, bool force = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        var messages = Flush(force);
        foreach (var text in messages)
            await outbox.EnqueueAsync(AlertKinds.NewErrors, text, ct);
        return messages.Count;
    }

    private List<string> Compose(List<AlertGroup> groups, int ungrouped)
    {
        // Biggest causes first; ties keep arrival order (OrderBy is stable).
        var ranked = groups.OrderByDescending(g => g.Count).ToList();
        var fits = ranked.Count <= _options.MaxMessagesPerWindow && ungrouped == 0;
        var detailed = fits ? ranked.Count : _options.MaxMessagesPerWindow - 1;
        var messages = ranked.Take(detailed).Select(Describe).ToList();
        if (!fits)
            messages.Add(DescribeRest(ranked.Skip(detailed).ToList(), ungrouped, othersShown: detailed > 0));
        return messages;
    }

    private string Describe(AlertGroup g)
    {
        var cause = g.Code.Length > 0
            ? $"{g.Count} new: {SlackText.Escape(g.Code)} in {SlackText.Escape(g.Service)}"
            : $"{g.Count} new in {SlackText.Escape(g.Service)}";
        var text = $"{cause} — {SlackText.Escape(g.ErrorType)}: {SlackText.Escape(g.FirstMessage)}";
        var keys = g.DescribeKeys();
        if (keys.Length > 0) text += $" ({keys})";
        if (TraceLink(g.TraceId) is { } link) text += $" — trace: {link}";
        return text;
    }

    private static string DescribeRest(List<AlertGroup> rest, int ungrouped, bool othersShown)
    {
        var count = rest.Sum(g => g.Count) + ungrouped;
        var causes = rest.Count + (ungrouped > 0 ? 1 : 0);
        var examples = rest.Take(OverflowExamples)
            .Select(g => $"{SlackText.Escape(g.Service)} {SlackText.Escape(g.ErrorType)}" +
                         (g.Code.Length > 0 ? $"/{SlackText.Escape(g.Code)}" : "") + $" ×{g.Count}");
        var other = othersShown ? "other " : "";
        var text = $"{count} new in {causes} {other}causes: {string.Join(", ", examples)}";
        if (rest.Count > OverflowExamples || ungrouped > 0) text += " …";
        return text + " (see the error log)";
    }

    private string? TraceLink(string? traceId) =>
        string.IsNullOrEmpty(_options.TraceUiUrl) || string.IsNullOrEmpty(traceId)
            ? null
            : $"{_options.TraceUiUrl.TrimEnd('/')}/trace/{Uri.EscapeDataString(traceId)}";
}
