namespace Billing.Errors;

/// <summary>What one pass over the outbox did.</summary>
public sealed record DispatchResult(int Sent, int Failed);

/// <summary>Delivers due outbox messages to chat. A failed message stays in the outbox with its attempt
/// count, reason and next attempt (exponential backoff, capped), and is retried until chat takes it.
/// Call <see cref="DispatchDueAsync"/> from a periodic loop.</summary>
public sealed class AlertDispatcher
{
    private const int MaxErrorLength = 500;

    private readonly IAlertOutbox _outbox;
    private readonly IChatClient _chat;
    private readonly TimeProvider _time;
    private readonly DispatchOptions _options;

    public AlertDispatcher(IAlertOutbox outbox, IChatClient chat, TimeProvider time, DispatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(time);
        _options = options ?? new DispatchOptions();
        var problems = _options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        _outbox = outbox;
        _chat = chat;
        _time = time;
    }

    public async Task<DispatchResult> DispatchDueAsync(CancellationToken ct = default)
    {
        var due = await _outbox.FetchDueAsync(_time.GetUtcNow(), _options.BatchSize, ct);
        var sent = 0;
        foreach (var alert in due)
        {
            try
            {
                await _chat.SendAsync(alert.Text, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                var wait = _options.BackoffAfter(alert.Attempts + 1);
                if (ex is ChatDeliveryException { RetryAfter: { } asked } && asked > wait) wait = asked;
                await _outbox.MarkFailedAsync(alert.Id, Describe(ex), _time.GetUtcNow() + wait, ct);
                // Chat is most likely down: the rest of the batch would fail the same way, and leaving them
                // untouched keeps their attempt counts meaningful.
                return new DispatchResult(sent, 1);
            }
            await _outbox.MarkSentAsync(alert.Id, _time.GetUtcNow(), ct);
            sent++;
        }
        return new DispatchResult(sent, 0);
    }

    private static string Describe(Exception ex)
    {
        var text = $"{ex.GetType().Name}: {ex.Message}";
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }
}
