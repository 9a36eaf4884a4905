using Dapper;
using Npgsql;

namespace Billing.Invoicing.Infrastructure;

/// <summary>stage_failures and the failed state of run_accounts.</summary>
public sealed class FailureStore(NpgsqlDataSource dataSource)
{
    private const string InsertSql = """
        insert into stage_failures (run_id, account_id, invoice_id, stage, message_type, input_queue, exception_type, reason, trace_id)
        select @RunId, @AccountId, @InvoiceId, @Stage, @MessageType, @InputQueue, @ExceptionType, @Reason, @TraceId
        where exists (select 1 from invoice_runs where id = @RunId)
        """;

    // A generation failure settles the account for the run unless it was generated meanwhile.
    private const string MarkFailedSql = """
        insert into run_accounts (run_id, account_id, state, reason)
        select @RunId, @AccountId, 'failed', @Reason where exists (select 1 from accounts where id = @AccountId)
        on conflict (run_id, account_id) do update set state = 'failed', reason = excluded.reason, updated_at = now()
        where run_accounts.state = 'failed'
        """;

    public async Task RecordAsync(NewFailure failure, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var inserted = await conn.ExecuteAsync(new CommandDefinition(InsertSql, failure, tx, cancellationToken: ct));
        if (inserted == 1 && failure.Stage == Stages.Generate)
            await conn.ExecuteAsync(new CommandDefinition(MarkFailedSql, failure, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }
}
