namespace Billing.Errors;

/// <summary>Turns "a new error group was recorded" events into a few chat messages per window, one per group (one
/// cause) with the occurrences it had in the window, so a storm of 10,000 failures posts a handful of counted lines
/// instead of flooding the channel, and a group alerts once, not once per message.
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
    private readonly Dictionary<string, AlertGroup> _groups = [];
    // Groups already alerted (flushed) recently: a late repeat of theirs must not raise a second alert.
    private readonly Dictionary<string, DateTimeOffset> _flushed = [];
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

    /// <summary>Records that a report produced a new error group (or reopened a resolved one). False when it is
    /// noise and will not alert.</summary>
    public bool Add(ErrorReport report) => Add(report, Fingerprint.For(report));

    /// <inheritdoc cref="Add(ErrorReport)"/>
    /// <param name="errorId">The group's id in the error log, named in the alert so it leads to the group.</param>
    public bool Add(ErrorReport report, string fingerprint, long? errorId = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(fingerprint);
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
            if (GroupOf(report, fingerprint, errorId) is not { } group)
            {
                _ungrouped++;
                return true;
            }
            group.Add(report);
            return true;
        }
    }

    /// <summary>One more occurrence of a known group: counted into the group's alert while it waits in this window, or
    /// when the group was created within the last window and its alert has not gone out (its first report may still be
    /// on its way here from a concurrent consumer). Otherwise nothing: the group has alerted already.</summary>
    /// <returns>true when the occurrence was counted into an alert.</returns>
    public bool AddRepeat(ErrorReport report, string fingerprint, DateTimeOffset groupCreatedAt, long? errorId = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(fingerprint);
        lock (_gate)
        {
            if (_noise.IsNoise(report)) return false;
            if (!_groups.TryGetValue(fingerprint, out var group))
            {
                var now = _time.GetUtcNow();
                if (_flushed.ContainsKey(fingerprint) || now - groupCreatedAt > _options.Window) return false;
                _windowStart ??= now;
                group = GroupOf(report, fingerprint, errorId);
                if (group is null) return false;
            }
            group.Add(report);
            return true;
        }
    }

    private AlertGroup? GroupOf(ErrorReport report, string fingerprint, long? errorId)
    {
        if (_groups.TryGetValue(fingerprint, out var group))
        {
            group.ErrorId ??= errorId;
            return group;
        }
        if (_groups.Count >= MaxGroups) return null;
        group = new AlertGroup(report.Service, report.ErrorType, report.Code,
            SlackText.OneLine(report.Message, MaxMessageLength), report.TraceId) { ErrorId = errorId };
        _groups[fingerprint] = group;
        _order.Add(group);
        return group;
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
            var now = _time.GetUtcNow();
            foreach (var (fingerprint, at) in _flushed.ToList())
                if (now - at > _options.Window * 2) _flushed.Remove(fingerprint);
            foreach (var fingerprint in _groups.Keys) _flushed[fingerprint] = now;
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
        if (g.ErrorId is { } id) text += $" — billing errors show {id}";
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

    // A template with {trace_id} (BILLING_TRACE_UI_URL), or a base URL as the former settings had it (base/trace/id).
    private string? TraceLink(string? traceId) =>
        string.IsNullOrEmpty(_options.TraceUiUrl) || string.IsNullOrEmpty(traceId)
            ? null
            : _options.TraceUiUrl.Contains(TraceLinks.Placeholder, StringComparison.Ordinal)
                ? _options.TraceUiUrl.Replace(TraceLinks.Placeholder, Uri.EscapeDataString(traceId), StringComparison.Ordinal)
                : $"{_options.TraceUiUrl.TrimEnd('/')}/trace/{Uri.EscapeDataString(traceId)}";
}
