using Billing.Invoicing;
using Dapper;
using Npgsql;

namespace Billing.Catalogue;

/// <summary><c>usage_records</c>: a batch is checked against the stored accounts and plans and written all or
/// nothing; a record whose idempotency key is already stored counts as a duplicate, not again.</summary>
public sealed class UsageStore(NpgsqlDataSource dataSource)
{
    // Each account's plan timeline: a record's metric must be priced by the plan in force when it occurred.
    private const string AccountsSql = """
        select ap.account_id as id, ap.effective_on, p.code as plan_code,
               array(select c->>'metric' from jsonb_array_elements(p.components) c) as metrics
        from account_plans ap join plans p on p.id = ap.plan_id
        where ap.account_id = any(@Ids)
        order by ap.account_id, ap.effective_on
        """;

    private const string StoredSql = """
        select idempotency_key, account_id, metric, quantity, occurred_at
        from usage_records where idempotency_key = any(@Keys)
        """;

    private const string InsertSql = """
        insert into usage_records (account_id, period, metric, quantity, occurred_at, idempotency_key, late)
        select * from unnest(@Accounts::uuid[], @Periods::text[], @Metrics::text[], @Quantities::numeric[],
                             @OccurredAt::timestamptz[], @Keys::text[], @Late::boolean[])
        on conflict (idempotency_key) do nothing
        """;

    /// <exception cref="DomainValidationException">unknown account or metric, named <c>records[i].field</c>.</exception>
    /// <exception cref="CatalogueConflictException">a key reused for a different record.</exception>
    /// <remarks>A record for a period already closed for its account is accepted as late: its invoice (or the run
    /// under way) no longer takes it, the account's next invoice does (<see cref="UsageBatchResult.Late"/>).</remarks>
    public async Task<UsageBatchResult> AppendAsync(IReadOnlyList<NewUsageRecord> records, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);

        var accounts = (await conn.QueryAsync<AccountMetrics>(new CommandDefinition(AccountsSql,
            new { Ids = records.Select(r => r.AccountId).Distinct().ToArray() }, tx, cancellationToken: ct)))
            .GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.Select(a => (a.EffectiveOn, a)).ToList());
        var errors = new ValidationErrors();
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (!accounts.TryGetValue(r.AccountId, out var timeline))
                errors.Add($"records[{i}].account_id", $"no account {r.AccountId}");
            else if (BillingDays.PlanOn(timeline, DateOnly.FromDateTime(r.OccurredAt.UtcDateTime)) is var account && !account.Metrics.Contains(r.Metric))
                errors.Add($"records[{i}].metric", $"'{r.Metric}' is not priced by plan '{account.PlanCode}', this account's plan on {r.OccurredAt.UtcDateTime:yyyy-MM-dd}"
                    + (account.Metrics.Length == 0 ? " (it has no metered components)" : $" (its metrics: {string.Join(", ", account.Metrics)})"));
        }
        CatalogueValidation.ThrowIfAny(errors);

        var periods = records.Select(r => r.Period.ToString()).Distinct().Order(StringComparer.Ordinal).ToArray();
        await conn.ExecuteAsync(new CommandDefinition(PeriodLock.SharedSql, new { Periods = periods }, tx, cancellationToken: ct));

        // A key already stored: the same record resent (a duplicate, even if its period has closed since) or a
        // different record under a reused key (refused: counting it as a duplicate would silently drop usage).
        var stored = (await conn.QueryAsync<StoredRecord>(new CommandDefinition(StoredSql,
            new { Keys = records.Select(r => r.IdempotencyKey).Distinct().ToArray() }, tx, cancellationToken: ct))).ToDictionary(s => s.IdempotencyKey);
        var conflicts = new List<ValidationError>();
        var fresh = new List<(NewUsageRecord Record, int Index)>();
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (!stored.TryGetValue(r.IdempotencyKey, out var s)) fresh.Add((r, i));
            else if (s.AccountId != r.AccountId || s.Metric != r.Metric || s.Quantity != r.Quantity || s.OccurredAt != r.OccurredAt.UtcDateTime)
                conflicts.Add(new ValidationError($"records[{i}].idempotency_key",
                    $"'{r.IdempotencyKey}' was already used for a different record (account {s.AccountId}, metric {s.Metric}, quantity {Json.DecimalText.Format(s.Quantity)}, occurred_at {s.OccurredAt:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'})"));
        }
        if (conflicts.Count > 0) throw new CatalogueConflictException("Idempotency key reused", conflicts.Take(25).ToList());

        var closed = new Dictionary<(Guid, string), string>();
        if (fresh.Count > 0)
            closed = (await conn.QueryAsync<PeriodLock.Closed>(new CommandDefinition(PeriodLock.ClosedSql, new
            {
                Accounts = fresh.Select(f => f.Record.AccountId).ToArray(),
                Periods = fresh.Select(f => f.Record.Period.ToString()).ToArray(),
            }, tx, cancellationToken: ct))).DistinctBy(c => (c.AccountId, c.Period)).ToDictionary(c => (c.AccountId, c.Period), c => c.Reason);
        bool IsLate(NewUsageRecord r) => closed.ContainsKey((r.AccountId, r.Period.ToString()));

        var accepted = fresh.Count == 0 ? 0 : await conn.ExecuteAsync(new CommandDefinition(InsertSql, new
        {
            Accounts = fresh.Select(f => f.Record.AccountId).ToArray(),
            Periods = fresh.Select(f => f.Record.Period.ToString()).ToArray(),
            Metrics = fresh.Select(f => f.Record.Metric).ToArray(),
            Quantities = fresh.Select(f => f.Record.Quantity).ToArray(),
            OccurredAt = fresh.Select(f => f.Record.OccurredAt.UtcDateTime).ToArray(),
            Keys = fresh.Select(f => f.Record.IdempotencyKey).ToArray(),
            Late = fresh.Select(f => IsLate(f.Record)).ToArray(),
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        var late = fresh.Where(f => IsLate(f.Record)).DistinctBy(f => f.Record.IdempotencyKey)
            .Select(f => new LateUsageRecord(f.Record.IdempotencyKey, f.Record.Period.ToString(), closed[(f.Record.AccountId, f.Record.Period.ToString())]))
            .ToList();
        return new UsageBatchResult(accepted, records.Count - accepted, late);
    }

    private sealed class AccountMetrics
    {
        public Guid Id { get; init; }
        public DateOnly EffectiveOn { get; init; }
        public string PlanCode { get; init; } = "";
        public string[] Metrics { get; init; } = [];
    }

    private sealed class StoredRecord
    {
        public string IdempotencyKey { get; init; } = "";
        public Guid AccountId { get; init; }
        public string Metric { get; init; } = "";
        public decimal Quantity { get; init; }
        public DateTime OccurredAt { get; init; }
    }
}
