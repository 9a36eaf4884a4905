namespace Billing.Errors.Tests;

/// <summary>Outbox held in memory, for the specs of the alert dispatcher and aggregator; services use the PostgreSQL one.</summary>
public sealed class InMemoryAlertOutbox(TimeProvider time) : IAlertOutbox
{
    private readonly Lock _gate = new();
    private readonly List<OutboxAlert> _rows = [];
    private long _nextId = 1;

    /// <summary>A snapshot of every row, sent or not, in enqueue order.</summary>
    public IReadOnlyList<OutboxAlert> All { get { lock (_gate) return [.. _rows]; } }

    public Task<long> EnqueueAsync(string kind, string text, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var row = new OutboxAlert(_nextId++, kind, text, now, 0, now);
            _rows.Add(row);
            return Task.FromResult(row.Id);
        }
    }

    public Task<IReadOnlyList<OutboxAlert>> FetchDueAsync(DateTimeOffset now, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        lock (_gate)
        {
            IReadOnlyList<OutboxAlert> due = _rows
                .Where(r => r.SentAt is null && r.NextAttemptAt <= now)
                .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id)
                .Take(limit).ToList();
            return Task.FromResult(due);
        }
    }

    public Task MarkSentAsync(long id, DateTimeOffset sentAt, CancellationToken ct = default)
    {
        Update(id, r => r with { SentAt = sentAt, Attempts = r.Attempts + 1 });
        return Task.CompletedTask;
    }

    public Task MarkFailedAsync(long id, string error, DateTimeOffset nextAttemptAt, CancellationToken ct = default)
    {
        Update(id, r => r with { Attempts = r.Attempts + 1, LastError = error, NextAttemptAt = nextAttemptAt });
        return Task.CompletedTask;
    }

    private void Update(long id, Func<OutboxAlert, OutboxAlert> change)
    {
        lock (_gate)
        {
            var index = _rows.FindIndex(r => r.Id == id);
            if (index < 0) throw new KeyNotFoundException($"no outbox alert {id}");
            _rows[index] = change(_rows[index]);
        }
    }
}
