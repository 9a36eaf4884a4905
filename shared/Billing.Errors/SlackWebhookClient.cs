using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Billing.Errors;

/// <summary>Posts to a Slack incoming webhook (Mattermost and Rocket.Chat accept the same body).
/// The webhook URL is a secret: it never appears in exceptions or logs from here.</summary>
public sealed class SlackWebhookClient : IChatClient
{
    // Slack cuts a section block at 3,000 characters; text alone is shown when blocks are refused.
    private const int MaxBlockText = 3000;
    private const int MaxDetail = 200;

    private readonly HttpClient _http;
    private readonly Uri _webhookUrl;

    public SlackWebhookClient(HttpClient http, Uri webhookUrl)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(webhookUrl);
        if (!HttpUrls.IsAbsoluteHttp(webhookUrl.OriginalString))
            throw new ArgumentException($"{ChatOptions.WebhookUrlSetting} must be an absolute http or https URL", nameof(webhookUrl));
        _http = http;
        _webhookUrl = webhookUrl;
    }

    public async Task SendAsync(string text, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var body = new WebhookBody(text, text.Length <= MaxBlockText
            ? [new Block("section", new BlockText("mrkdwn", text))]
            : null);
        using var response = await _http.PostAsJsonAsync(_webhookUrl, body, WebhookJson.Default.WebhookBody, ct);
        if (response.IsSuccessStatusCode) return;

        var detail = await response.Content.ReadAsStringAsync(ct);
        if (detail.Length > MaxDetail) detail = detail[..MaxDetail];
        throw new ChatDeliveryException(response.StatusCode, detail, RetryAfter(response));
    }

    // Only the delta form: Slack sends seconds, and a date would need the wall clock here.
    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter?.Delta;
}

internal sealed record WebhookBody(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("blocks"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Block[]? Blocks);

internal sealed record Block(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("text")] BlockText Text);

internal sealed record BlockText(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("text")] string Text);

[JsonSerializable(typeof(WebhookBody))]
internal sealed partial class WebhookJson : JsonSerializerContext;
