namespace Billing.Errors;

/// <summary>Where chat alerts go (configuration section "Chat").</summary>
public sealed class ChatOptions
{
    public const string Section = "Chat";
    public const string WebhookUrlSetting = "Chat__WebhookUrl";
    public const string TraceUiUrlSetting = "Chat__TraceUiUrl";

    /// <summary>The incoming-webhook URL. Optional: without it alerts are kept in the outbox, unsent, and
    /// the service says so once at start; a malformed one is a typo that would lose alerts, so it stops start-up.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Former setting, read when BILLING_TRACE_UI_URL is unset: base URL of the trace UI (e.g. Jaeger); alerts
    /// link to {TraceUiUrl}/trace/{traceId}. See <see cref="TraceLinks"/>.</summary>
    public string? TraceUiUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(WebhookUrl);

    /// <summary>Problems naming the environment variable to fix; empty when the options are usable.
    /// The webhook URL itself is never echoed: it is a credential.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (IsConfigured && !HttpUrls.IsAbsoluteHttp(WebhookUrl))
            errors.Add($"{WebhookUrlSetting} must be an absolute http or https URL");
        if (!string.IsNullOrWhiteSpace(TraceUiUrl) && !HttpUrls.IsAbsoluteHttp(TraceUiUrl))
            errors.Add($"{TraceUiUrlSetting} must be an absolute http or https URL, got '{TraceUiUrl}'");
        return errors;
    }
}
