using Billing.Errors;
using Billing.Redrive;
using Dapper;
using Npgsql;

namespace Billing.Invoicing.Infrastructure;

/// <summary>The dead letters of one run in one queue: how many, and how many are superseded (the invoice went through
/// the stage the message was for by another delivery, so replaying it would change nothing).</summary>
public sealed record RunDeadLetterQueue(string Queue, string SourceQueue, string MessageType, string? Stage, int Messages, int Superseded,
    bool AllCarryRunId)
{
    public int Pending => Messages - Superseded;
}

/// <summary>What of a run sits in dead-letter queues (<c>_error</c>, <c>_skipped</c>, <c>_parked</c>; archives are set
/// aside on purpose and do not count).</summary>
public sealed record RunDeadLetters(IReadOnlyList<RunDeadLetterQueue> Queues, bool Truncated)
{
    public static readonly RunDeadLetters None = new([], false);

    public int Total => Queues.Sum(q => q.Messages);
    public int Superseded => Queues.Sum(q => q.Superseded);
    public int Pending => Total - Superseded;
}

/// <summary>
/// Finds the dead letters that belong to a run, read from the broker without consuming them: a message belongs to the
/// run when its body carries the run's id (<c>runId</c>: GenerateInvoice, InvoiceFinalized, InvoicePdfRendered …) or
/// names an invoice of the run (<c>invoiceId</c>: RenderInvoicePdf, SendInvoiceEmail …). Only non-empty queues are read.
/// Reading holds a queue's messages unacknowledged for a moment (see Peeker): a redrive starting in that moment sees
/// fewer messages and leaves the rest for its next pass.
/// </summary>
public sealed class RunDeadLetterQuery(NpgsqlDataSource dataSource, DeadLetterQueues queues, DeadLetterInspector inspector, RedriveOptions options)
{
    /// <summary>The advisory lock (transaction-scoped) under which the broker is read, one reader at a time.</summary>
    public const long DeadLetterReadLock = 0x42494C4C444C5131; // "BILLDLQ1"

    private const string InvoicesSql = $"""
        select id as Id, run_id as RunId, account_id as AccountId, period as Period,
               pdf_rendered_at is not null as Rendered, email_status = '{EmailDeliveryStates.Sent}' as Emailed,
               synced_at is not null as Synced, stripe_pushed_at is not null as Pushed
        from invoices where id = any(@ids)
        """;

    private const string GeneratedSql = """
        select a.account_id from unnest(@accounts) as a(account_id)
        where exists (select 1 from invoices i where i.account_id = a.account_id and i.period = @period)
           or exists (select 1 from run_accounts ra where ra.run_id = @run and ra.account_id = a.account_id and ra.state = 'skipped')
        """;

    /// <summary>The run's dead letters per queue; empty when no dead-letter queue holds anything.</summary>
    public async Task<RunDeadLetters> ForRunAsync(Guid runId, string period, CancellationToken ct)
    {
        var truncated = false;
        var messages = new List<DeadLetterMessage>();
        // A peek holds a queue's messages unacknowledged until it puts them back, and a second reader meanwhile sees
        // the queue empty: the generator's completion check could then complete a run whose dead letters were being
        // read by a status request of the admin API. Every reader of a run's dead letters takes this lock first.
        await using var readLock = await dataSource.OpenConnectionAsync(ct);
        await using var lockTx = await readLock.BeginTransactionAsync(ct);
        await readLock.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(@key)", new { key = DeadLetterReadLock }, lockTx, cancellationToken: ct));
        foreach (var q in await queues.ListAsync(ct))
        {
            if (q.Kind == DeadLetterKind.Archive || q.Messages == 0) continue;
            var limit = (int)Math.Min(q.Messages, options.PeekLimit);
            truncated |= q.Messages > options.PeekLimit;
            try
            {
                messages.AddRange(await inspector.PeekAsync(q.Name, limit, ct));
            }
            catch (QueueNotFoundException)
            {
                // Deleted between the listing and the read: nothing of it is left.
            }
        }
        await lockTx.CommitAsync(ct);
        if (messages.Count == 0) return new RunDeadLetters([], truncated);

        var invoiceIds = messages.Select(m => Key(m, "invoiceId")).OfType<Guid>().Distinct().ToArray();
        Dictionary<Guid, InvoiceState> invoices;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
            invoices = invoiceIds.Length == 0 ? []
                : (await conn.QueryAsync<InvoiceState>(new CommandDefinition(InvoicesSql, new { ids = invoiceIds }, cancellationToken: ct)))
                    .ToDictionary(i => i.Id);

        var mine = messages.Where(m => Key(m, "runId") == runId
            || (Key(m, "invoiceId") is { } inv && invoices.TryGetValue(inv, out var i) && i.RunId == runId)).ToList();
        if (mine.Count == 0) return new RunDeadLetters([], truncated);

        var generateAccounts = mine.Where(m => TypeName(m) == "GenerateInvoice").Select(m => Key(m, "accountId")).OfType<Guid>().Distinct().ToArray();
        HashSet<Guid> generated = [];
        if (generateAccounts.Length > 0)
        {
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            generated = (await conn.QueryAsync<Guid>(new CommandDefinition(GeneratedSql,
                new { accounts = generateAccounts, period, run = runId }, cancellationToken: ct))).ToHashSet();
        }

        var result = mine.GroupBy(m => (m.Queue, m.OriginalQueue, Type: TypeName(m)))
            .Select(g =>
            {
                var stage = ErrorStages.Of(new ErrorReport("", "dead_letter", g.Key.OriginalQueue, "dead letter", MessageType: g.Key.Type));
                var superseded = g.Count(m => IsSuperseded(m, stage, invoices, generated));
                return new RunDeadLetterQueue(g.Key.Queue, g.Key.OriginalQueue, g.Key.Type, stage, g.Count(), superseded,
                    g.All(m => Key(m, "runId") == runId));
            })
            .OrderBy(q => q.Queue, StringComparer.Ordinal).ThenBy(q => q.MessageType, StringComparer.Ordinal)
            .ToList();
        return new RunDeadLetters(result, truncated);
    }

    private static bool IsSuperseded(DeadLetterMessage m, string? stage, Dictionary<Guid, InvoiceState> invoices, HashSet<Guid> generated)
    {
        if (stage == Stages.Generate) return Key(m, "accountId") is { } account && generated.Contains(account);
        if (stage is null || Key(m, "invoiceId") is not { } id || !invoices.TryGetValue(id, out var i)) return false;
        return stage switch
        {
            Stages.Render => i.Rendered,
            Stages.Email => i.Emailed,
            Stages.Sync => i.Synced,
            Stages.Stripe => i.Pushed,
            _ => false,
        };
    }

    private static Guid? Key(DeadLetterMessage m, string name) =>
        m.BusinessKeys.TryGetValue(name, out var v) && Guid.TryParse(v, out var g) ? g : null;

    /// <summary>urn:message:Billing.Contracts:GenerateInvoice → GenerateInvoice.</summary>
    internal static string TypeName(DeadLetterMessage m)
    {
        var type = m.MessageType ?? "";
        var colon = type.LastIndexOf(':');
        return colon >= 0 ? type[(colon + 1)..] : type;
    }

    private sealed class InvoiceState
    {
        public Guid Id { get; init; }
        public Guid? RunId { get; init; }
        public Guid AccountId { get; init; }
        public string Period { get; init; } = "";
        public bool Rendered { get; init; }
        public bool Emailed { get; init; }
        public bool Synced { get; init; }
        public bool Pushed { get; init; }
    }
}
