namespace Billing.Errors;

/// <summary>How new errors are batched into chat alerts (configuration section "Alerts").</summary>
public sealed class AlertOptions
{
    /// <summary>New errors seen within one window go out together, grouped by cause.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Hard cap per window: a storm of thousands of new errors still yields this many messages.</summary>
    public int MaxMessagesPerWindow { get; set; } = 5;

    /// <summary>Link template of the trace UI with {trace_id} (set from BILLING_TRACE_UI_URL), or a base URL as formerly
    /// (alerts then link to {TraceUiUrl}/trace/{traceId}).</summary>
    public string? TraceUiUrl { get; set; }

    /// <summary>Problems naming the environment variable to fix; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Window <= TimeSpan.Zero)
            errors.Add($"Alerts__Window must be positive, got {Window}");
        if (MaxMessagesPerWindow < 1)
            errors.Add($"Alerts__MaxMessagesPerWindow must be at least 1, got {MaxMessagesPerWindow}");
        if (!string.IsNullOrEmpty(TraceUiUrl) && !HttpUrls.IsAbsoluteHttp(TraceUiUrl.Replace(TraceLinks.Placeholder, "0af7651916cd43dd8448eb211c80319c", StringComparison.Ordinal)))
            errors.Add($"Alerts__TraceUiUrl must be an absolute http or https URL, got '{TraceUiUrl}'");
        return errors;
    }
}
