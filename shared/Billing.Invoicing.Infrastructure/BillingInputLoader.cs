using Billing.Invoicing;
using Npgsql;
using Pending = Billing.Invoicing.Infrastructure.GroupedRequests<(System.Guid AccountId, string Period), Billing.Invoicing.Infrastructure.BillingInput>.Pending;

namespace Billing.Invoicing.Infrastructure;

/// <summary>
/// Group read for generation: the inputs requested by concurrent consumers are read together, one round trip of
/// six statements for up to <c>maxBatch</c> accounts of a period instead of one round trip per account. A
/// consumer waits only for the batch its request is in; a batch that fails fails each of its requests (the
/// consumers' retry then reads again).
/// </summary>
public sealed class BillingInputLoader : IAsyncDisposable
{
    private const string ExistingSql = "select account_id, id, run_id, number, total_minor, currency from invoices where account_id = any($1) and period = $2";

    private const string AccountSql = "select id, issuer, tax_rate, billing_starts_on, billing_ends_on from accounts where id = any($1)";

    private const string PlansSql = """
        select ap.account_id, ap.effective_on, p.id, p.code, p.name, p.currency, p.base_fee_minor, p.components::text
        from account_plans ap join plans p on p.id = ap.plan_id where ap.account_id = any($1)
        order by ap.account_id, ap.effective_on
        """;

    // By day: a plan change inside the period prices each day's usage with the plan then in force.
    private const string UsageSql = """
        select account_id, metric, (occurred_at at time zone 'UTC')::date, sum(quantity) from usage_records
        where account_id = any($1) and period = $2 and not late
        group by 1, 2, 3
        """;

    // Metrics of earlier periods with late records not yet billed: everything recorded for them, split into what was
    // invoiced already and what is still to bill (usage_records_late_unbilled finds the few accounts that have any).
    private const string LateSql = """
        select u.account_id, u.period, u.metric, (u.occurred_at at time zone 'UTC')::date,
               coalesce(sum(u.quantity) filter (where not u.late or u.billed_invoice_id is not null), 0),
               coalesce(sum(u.quantity) filter (where u.late and u.billed_invoice_id is null), 0),
               coalesce(array_agg(u.id) filter (where u.late and u.billed_invoice_id is null), '{}')
        from usage_records u
        join (select distinct account_id, period, metric from usage_records
              where account_id = any($1) and late and billed_invoice_id is null and period < $2) l
          on l.account_id = u.account_id and l.period = u.period and l.metric = u.metric
        group by 1, 2, 3, 4
        """;

    private const string ChargesSql = """
        select account_id, description, quantity, unit_price from charges where account_id = any($1) and period = $2
        order by account_id, created_at, id
        """;

    private static readonly IReadOnlyList<UsageOnDay> NoUsage = [];
    private static readonly IReadOnlyList<PlanVersion> NoPlans = [];
    private static readonly IReadOnlyList<LateUsageOnDay> NoLate = [];
    private static readonly IReadOnlyList<OneOffCharge> NoCharges = [];

    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupedRequests<(Guid AccountId, string Period), BillingInput> _requests;

    public BillingInputLoader(NpgsqlDataSource dataSource, int maxBatch = 128)
    {
        _dataSource = dataSource;
        _requests = new(maxBatch, ReadGroupAsync, "read billing inputs");
    }

    /// <summary>Everything needed to price the account's period (see <see cref="BillingInput"/>).</summary>
    public Task<BillingInput> LoadAsync(Guid accountId, string period, CancellationToken ct) => _requests.Enqueue((accountId, period), ct);

    private async Task ReadGroupAsync(List<Pending> group)
    {
        foreach (var byPeriod in group.GroupBy(p => p.Request.Period, StringComparer.Ordinal))
        {
            var requests = byPeriod.ToList();
            try
            {
                var inputs = await ReadAsync(requests.Select(p => p.Request.AccountId).Distinct().ToArray(), byPeriod.Key);
                foreach (var p in requests) p.Done.TrySetResult(inputs.TryGetValue(p.Request.AccountId, out var input) ? input : NotFound());
            }
            catch (Exception e)
            {
                foreach (var p in requests) p.Done.TrySetException(e);
            }
        }
    }

    /// <summary>The inputs of many accounts in one round trip (the group read; also the run preview, in pages of thousands).</summary>
    public async Task<Dictionary<Guid, BillingInput>> ReadAsync(Guid[] accounts, string period)
    {
        await using var conn = await _dataSource.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch(conn);
        batch.BatchCommands.Add(InvoiceBatchWriter.Command(ExistingSql, accounts, period));
        batch.BatchCommands.Add(InvoiceBatchWriter.Command(AccountSql, accounts));
        batch.BatchCommands.Add(InvoiceBatchWriter.Command(PlansSql, accounts));
        batch.BatchCommands.Add(InvoiceBatchWriter.Command(UsageSql, accounts, period));
        batch.BatchCommands.Add(InvoiceBatchWriter.Command(ChargesSql, accounts, period));
        batch.BatchCommands.Add(InvoiceBatchWriter.Command(LateSql, accounts, period));
        await using var r = await batch.ExecuteReaderAsync();

        var existing = new Dictionary<Guid, ExistingInvoice>();
        while (await r.ReadAsync())
            existing[r.GetGuid(0)] = new ExistingInvoice(r.GetGuid(1), r.IsDBNull(2) ? null : r.GetGuid(2), r.GetString(3), r.GetInt64(4), r.GetString(5));
        await r.NextResultAsync();
        var found = new Dictionary<Guid, (string Issuer, decimal TaxRate, DateOnly StartsOn, DateOnly? EndsOn)>();
        while (await r.ReadAsync())
            found[r.GetGuid(0)] = (r.GetString(1), r.GetDecimal(2), r.GetFieldValue<DateOnly>(3), r.IsDBNull(4) ? null : r.GetFieldValue<DateOnly>(4));
        await r.NextResultAsync();
        var plans = new Dictionary<Guid, List<PlanVersion>>();
        while (await r.ReadAsync())
        {
            var id = r.GetGuid(0);
            if (!plans.TryGetValue(id, out var list)) plans[id] = list = [];
            list.Add(new PlanVersion(r.GetFieldValue<DateOnly>(1), r.GetGuid(2), r.GetString(3), r.GetString(4), r.GetString(5).Trim(), r.GetInt64(6), r.GetString(7)));
        }
        await r.NextResultAsync();
        var usage = new Dictionary<Guid, List<UsageOnDay>>();
        while (await r.ReadAsync())
        {
            var id = r.GetGuid(0);
            if (!usage.TryGetValue(id, out var list)) usage[id] = list = [];
            list.Add(new UsageOnDay(r.GetString(1), r.GetFieldValue<DateOnly>(2), r.GetDecimal(3)));
        }
        await r.NextResultAsync();
        var charges = new Dictionary<Guid, List<OneOffCharge>>();
        while (await r.ReadAsync())
        {
            var id = r.GetGuid(0);
            if (!charges.TryGetValue(id, out var list)) charges[id] = list = [];
            list.Add(new OneOffCharge(r.GetString(1), r.GetDecimal(2), r.GetDecimal(3)));
        }
        await r.NextResultAsync();
        var late = new Dictionary<Guid, List<LateUsageOnDay>>();
        while (await r.ReadAsync())
        {
            var id = r.GetGuid(0);
            if (!late.TryGetValue(id, out var list)) late[id] = list = [];
            list.Add(new LateUsageOnDay(r.GetString(1), r.GetString(2), r.GetFieldValue<DateOnly>(3), r.GetDecimal(4), r.GetDecimal(5), r.GetFieldValue<long[]>(6)));
        }

        var inputs = new Dictionary<Guid, BillingInput>(accounts.Length);
        foreach (var id in accounts)
        {
            var e = existing.GetValueOrDefault(id);
            if (!found.TryGetValue(id, out var a))
            {
                inputs[id] = NotFound() with { Existing = e };
                continue;
            }
            inputs[id] = new BillingInput(e, true, a.Issuer, a.TaxRate, a.StartsOn, a.EndsOn, plans.TryGetValue(id, out var p) ? p : NoPlans,
                usage.TryGetValue(id, out var u) ? u : NoUsage, charges.TryGetValue(id, out var c) ? c : NoCharges, late.TryGetValue(id, out var l) ? l : NoLate);
        }
        return inputs;
    }

    private static BillingInput NotFound() => new(null, false, "", 0m, default, null, NoPlans, NoUsage, NoCharges, NoLate);

    public ValueTask DisposeAsync() => _requests.DisposeAsync();
}
