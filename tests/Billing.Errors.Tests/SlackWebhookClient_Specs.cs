using System.Net;
using System.Text.Json;

namespace Billing.Errors.Tests;

public class When_posting_to_the_chat_webhook
{
    [Fact]
    public async Task Sends_slack_incoming_webhook_json()
    {
        await using var server = await FakeChatServer.StartAsync();
        using var http = new HttpClient();
        var client = new SlackWebhookClient(http, server.WebhookUrl);

        await client.SendAsync("50 new: fault in pdf-renderer");

        using var body = JsonDocument.Parse(Assert.Single(server.Accepted));
        Assert.Equal("50 new: fault in pdf-renderer", body.RootElement.GetProperty("text").GetString());
        var block = Assert.Single(body.RootElement.GetProperty("blocks").EnumerateArray());
        Assert.Equal("section", block.GetProperty("type").GetString());
        Assert.Equal("mrkdwn", block.GetProperty("text").GetProperty("type").GetString());
        Assert.Equal("50 new: fault in pdf-renderer", block.GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Leaves_out_blocks_for_text_too_long_for_one()
    {
        await using var server = await FakeChatServer.StartAsync();
        using var http = new HttpClient();
        var text = new string('x', 3001);

        await new SlackWebhookClient(http, server.WebhookUrl).SendAsync(text);

        using var body = JsonDocument.Parse(Assert.Single(server.Accepted));
        Assert.Equal(text, body.RootElement.GetProperty("text").GetString());
        Assert.False(body.RootElement.TryGetProperty("blocks", out _));
    }

    [Fact]
    public async Task Throws_with_the_status_when_chat_refuses()
    {
        await using var server = await FakeChatServer.StartAsync();
        server.Answer = HttpStatusCode.Forbidden;
        using var http = new HttpClient();

        var ex = await Assert.ThrowsAsync<ChatDeliveryException>(() => new SlackWebhookClient(http, server.WebhookUrl).SendAsync("hello"));
        Assert.Equal(HttpStatusCode.Forbidden, ex.Status);
        Assert.Contains("invalid_token", ex.Message);
        Assert.DoesNotContain("secret", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task Refuses_an_empty_message(string text)
    {
        using var http = new HttpClient();
        var client = new SlackWebhookClient(http, new Uri("http://127.0.0.1:9/hook"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(text));
    }

    [Fact]
    public void Refuses_a_webhook_url_that_is_not_http()
    {
        using var http = new HttpClient();
        var ex = Assert.Throws<ArgumentException>(() => new SlackWebhookClient(http, new Uri("ftp://hooks.example/x")));
        Assert.Contains("Chat__WebhookUrl", ex.Message);
    }
}

public class When_chat_options_are_validated
{
    [Theory]
    [InlineData("hooks.slack.com/services/T/B/x")]
    [InlineData("ftp://hooks.slack.com/services/T/B/x")]
    [InlineData("not a url")]
    public void Names_the_setting_for_a_malformed_webhook_url(string url)
    {
        var problem = Assert.Single(new ChatOptions { WebhookUrl = url }.Validate());
        Assert.Equal("Chat__WebhookUrl must be an absolute http or https URL", problem);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Accepts_no_webhook_url_as_chat_switched_off(string? url)
    {
        var options = new ChatOptions { WebhookUrl = url };
        Assert.Empty(options.Validate());
        Assert.False(options.IsConfigured);
    }

    [Fact]
    public void Names_the_setting_for_a_malformed_trace_ui_url()
    {
        var problem = Assert.Single(new ChatOptions { TraceUiUrl = "jaeger:16686" }.Validate());
        Assert.StartsWith("Chat__TraceUiUrl must be an absolute http or https URL", problem);
    }

    [Fact]
    public void Accepts_an_https_webhook_url()
    {
        Assert.Empty(new ChatOptions { WebhookUrl = "https://hooks.slack.com/services/T/B/x" }.Validate());
    }
}
