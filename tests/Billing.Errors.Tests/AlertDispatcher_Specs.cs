using System.Net;
using System.Net.Sockets;

namespace Billing.Errors.Tests;

public class When_chat_is_unavailable
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Keeps_the_message_pending_while_chat_answers_500_and_delivers_it_later()
    {
        await using var server = await FakeChatServer.StartAsync();
        server.Answer = HttpStatusCode.InternalServerError;
        using var http = new HttpClient();
        var outbox = new InMemoryAlertOutbox(_time);
        var dispatcher = new AlertDispatcher(outbox, new SlackWebhookClient(http, server.WebhookUrl), _time);
        var id = await outbox.EnqueueAsync(AlertKinds.NewErrors, "first");
        await outbox.EnqueueAsync(AlertKinds.NewErrors, "second");

        Assert.Equal(new DispatchResult(0, 1), await dispatcher.DispatchDueAsync());
        var failed = outbox.All.Single(a => a.Id == id);
        Assert.Null(failed.SentAt);
        Assert.Equal(1, failed.Attempts);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(5), failed.NextAttemptAt);
        Assert.Contains("500", failed.LastError);

        // Second message goes first now; the first one waits for its backoff.
        Assert.Equal(new DispatchResult(0, 1), await dispatcher.DispatchDueAsync());
        Assert.Equal(new DispatchResult(0, 0), await dispatcher.DispatchDueAsync());

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(new DispatchResult(0, 1), await dispatcher.DispatchDueAsync());
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(10), outbox.All.Single(a => a.Id == id).NextAttemptAt);

        server.Answer = HttpStatusCode.OK;
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(new DispatchResult(2, 0), await dispatcher.DispatchDueAsync());
        Assert.Equal(["first", "second"], server.Texts.Order());
        Assert.All(outbox.All, a => Assert.Equal(_time.GetUtcNow(), a.SentAt));
    }

    [Fact]
    public async Task Keeps_the_message_pending_while_chat_is_down_and_delivers_it_when_back()
    {
        // A port nobody listens on yet: connections are refused until the server starts on it.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        using var http = new HttpClient();
        var outbox = new InMemoryAlertOutbox(_time);
        var chat = new SlackWebhookClient(http, new Uri($"http://127.0.0.1:{port}{FakeChatServer.HookPath}"));
        var dispatcher = new AlertDispatcher(outbox, chat, _time);
        await outbox.EnqueueAsync(AlertKinds.RunCompleted, "run done");

        Assert.Equal(new DispatchResult(0, 1), await dispatcher.DispatchDueAsync());
        var pending = Assert.Single(outbox.All);
        Assert.Null(pending.SentAt);
        Assert.StartsWith("HttpRequestException", pending.LastError);

        await using var server = await FakeChatServer.StartAsync(port);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(new DispatchResult(1, 0), await dispatcher.DispatchDueAsync());
        Assert.Equal(["run done"], server.Texts);
        Assert.Equal(2, Assert.Single(outbox.All).Attempts);
    }

    [Fact]
    public async Task Honours_a_longer_retry_after()
    {
        var outbox = new InMemoryAlertOutbox(_time);
        var chat = new ScriptedChat(new ChatDeliveryException(HttpStatusCode.TooManyRequests, "rate_limited", TimeSpan.FromSeconds(60)));
        await outbox.EnqueueAsync(AlertKinds.NewErrors, "x");

        await new AlertDispatcher(outbox, chat, _time).DispatchDueAsync();

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(60), Assert.Single(outbox.All).NextAttemptAt);
    }

    [Fact]
    public void Backs_off_exponentially_up_to_the_cap()
    {
        var options = new DispatchOptions { InitialBackoff = TimeSpan.FromSeconds(5), MaxBackoff = TimeSpan.FromMinutes(15) };
        Assert.Equal(TimeSpan.FromSeconds(5), options.BackoffAfter(1));
        Assert.Equal(TimeSpan.FromSeconds(10), options.BackoffAfter(2));
        Assert.Equal(TimeSpan.FromSeconds(640), options.BackoffAfter(8));
        Assert.Equal(TimeSpan.FromMinutes(15), options.BackoffAfter(9));
        Assert.Equal(TimeSpan.FromMinutes(15), options.BackoffAfter(10_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.BackoffAfter(0));
    }

    [Fact]
    public void Refuses_bad_dispatch_options()
    {
        var options = new DispatchOptions { BatchSize = 0, MaxBackoff = TimeSpan.FromSeconds(1) };
        var ex = Assert.Throws<ArgumentException>(() => new AlertDispatcher(new InMemoryAlertOutbox(_time), new ScriptedChat(), _time, options));
        Assert.Contains("Chat__BatchSize", ex.Message);
        Assert.Contains("Chat__MaxBackoff", ex.Message);
    }

    [Fact]
    public async Task Does_not_count_an_attempt_when_the_caller_cancels()
    {
        var outbox = new InMemoryAlertOutbox(_time);
        await outbox.EnqueueAsync(AlertKinds.NewErrors, "x");
        using var cts = new CancellationTokenSource();
        var chat = new ScriptedChat(onSend: cts.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new AlertDispatcher(outbox, chat, _time).DispatchDueAsync(cts.Token));
        Assert.Equal(0, Assert.Single(outbox.All).Attempts);
    }

    /// <summary>Chat that throws the given exceptions in turn, then accepts.</summary>
    private sealed class ScriptedChat(params Exception[] failures) : IChatClient
    {
        private readonly Queue<Exception> _failures = new(failures);

        public ScriptedChat(Action onSend) : this() => OnSend = onSend;

        private Action? OnSend { get; }

        public Task SendAsync(string text, CancellationToken ct = default)
        {
            OnSend?.Invoke();
            ct.ThrowIfCancellationRequested();
            return _failures.TryDequeue(out var failure) ? Task.FromException(failure) : Task.CompletedTask;
        }
    }
}
