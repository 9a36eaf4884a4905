using Npgsql;

namespace Billing.Ledger.Infrastructure;

public enum StripeEventReceipt
{
    /// <summary>First time this event id is seen.</summary>
    New,

    /// <summary>Seen and fully handled before: nothing else happens.</summary>
    Duplicate,

    /// <summary>Stored by an earlier delivery that did not finish (its follow-up may be lost): handle it again.</summary>
    Unfinished,
}

/// <summary>The <c>stripe_events</c> log: every verified webhook once by Stripe's event id.</summary>
public sealed class StripeEventStore(NpgsqlDataSource dataSource)
{
    const string InsertSql = """
        insert into stripe_events (id, type, payload, trace_id) values (@id, @type, @payload::jsonb, @trace_id)
        on conflict (id) do nothing
        returning id
        """;

    const string ProcessedSql = "select processed_at is not null from stripe_events where id = @id";

    const string CompleteSql = """
        update stripe_events set processed_at = now(), outcome = @outcome, reason = @reason where id = @id
        """;

    public async Task<StripeEventReceipt> ReceiveAsync(string id, string type, string payload, string? traceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using (var insert = new NpgsqlCommand(InsertSql, conn))
        {
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("type", type);
            insert.Parameters.AddWithValue("payload", payload);
            insert.Parameters.AddWithValue("trace_id", (object?)traceId ?? DBNull.Value);
            if (await insert.ExecuteScalarAsync(ct) is not null)
                return StripeEventReceipt.New;
        }
        await using var check = new NpgsqlCommand(ProcessedSql, conn);
        check.Parameters.AddWithValue("id", id);
        return await check.ExecuteScalarAsync(ct) is true ? StripeEventReceipt.Duplicate : StripeEventReceipt.Unfinished;
    }

    /// <summary>Marks the event handled; <paramref name="outcome"/> is posted, ignored or rejected.</summary>
    public async Task CompleteAsync(string id, string outcome, string? reason, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(CompleteSql, conn);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("outcome", outcome);
        cmd.Parameters.AddWithValue("reason", (object?)reason ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
