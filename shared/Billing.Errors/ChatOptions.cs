namespace Billing.Errors;

/// <summary>Where chat alerts go (configuration section "Chat").</summary>
public sealed class ChatOptions
{
    public const string WebhookUrlSetting = "Chat__WebhookUrl";

    /// <summary>The incoming-webhook URL. Required: an unset webhook would silently swallow every alert.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Problems naming the environment variable to fix; empty when the options are usable.
    /// The value itself is never echoed: a webhook URL is a credential.</summary>
    public IReadOnlyList<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(WebhookUrl))
            return [$"{WebhookUrlSetting} is required (the chat incoming-webhook URL)"];
        if (!HttpUrls.IsAbsoluteHttp(WebhookUrl))
            return [$"{WebhookUrlSetting} must be an absolute http or https URL"];
        return [];
    }
}
