using Billing.Invoicing;
using Npgsql;
using Pending = Billing.Runs.GroupedRequests<(System.Guid AccountId, string Period), Billing.Runs.BillingInput>.Pending;

namespace Billing.Runs;

/// <summary>
/// Group read for generation: the inputs requested by concurrent consumers are read together, one round trip of
/// four statements for up to <c>maxBatch</c> accounts of a period instead of one round trip per account. A
/// consumer waits only for the batch its request is in; a batch that fails fails each of its requests (the
/// consumers' retry then reads again).
/// </summary>
public sealed class BillingInputLoader : IAsyncDisposable
{
    private const string ExistingSql = "select account_id, id, run_id, number, total_minor, currency from invoices where account_id = any($1) and period = $2";

    private const string AccountSql = """
        select a.id, a.issuer, a.tax_rate, p.id, p.code, p.name, p.currency, p.base_fee_minor, p.components::text
        from accounts a join plans p on p.id = a.plan_id where a.id = any($1)
        """;

    private const string UsageSql = """
        select account_id, metric, sum(quantity) from usage_records where account_id = any($1) and period = $2
        group by account_id, metric
        """;

    private const string ChargesSql = """
        select account_id, description, quantity, unit_price from charges where account_id = any($1) and period = $2
        order by account_id, created_at, id
        """;

    private static readonly IReadOnlyDictionary<string, decimal> NoUsage = new Dictionary<string, decimal>();
    private static readonly IReadOnlyList<OneOffCharge> NoCharges = [];

    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupedRequests<(Guid AccountId, string Period), BillingInput> _requests;

    public BillingInputLoader(NpgsqlDataSource dataSource, int maxBatch = 128)
    {
        _dataSource = dataSource;
        _requests = new(maxBatch, ReadGroupAsync);
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
        batch.BatchCommands.Add(InvoiceBatchWriter.Command(UsageSql, accounts, period));
        batch.BatchCommands.Add(InvoiceBatchWriter.Command(ChargesSql, accounts, period));
        await using var r = await batch.ExecuteReaderAsync();

        var existing = new Dictionary<Guid, ExistingInvoice>();
        while (await r.ReadAsync())
            existing[r.GetGuid(0)] = new ExistingInvoice(r.GetGuid(1), r.IsDBNull(2) ? null : r.GetGuid(2), r.GetString(3), r.GetInt64(4), r.GetString(5));
        await r.NextResultAsync();
        var found = new Dictionary<Guid, (string Issuer, decimal TaxRate, Guid PlanId, string Code, string Name, string Currency, long BaseFee, string Json)>();
        while (await r.ReadAsync())
            found[r.GetGuid(0)] = (r.GetString(1), r.GetDecimal(2), r.GetGuid(3), r.GetString(4), r.GetString(5), r.GetString(6).Trim(), r.GetInt64(7), r.GetString(8));
        await r.NextResultAsync();
        var usage = new Dictionary<Guid, Dictionary<string, decimal>>();
        while (await r.ReadAsync())
        {
            var id = r.GetGuid(0);
            if (!usage.TryGetValue(id, out var metrics)) usage[id] = metrics = new Dictionary<string, decimal>(StringComparer.Ordinal);
            metrics[r.GetString(1)] = r.GetDecimal(2);
        }
        await r.NextResultAsync();
        var charges = new Dictionary<Guid, List<OneOffCharge>>();
        while (await r.ReadAsync())
        {
            var id = r.GetGuid(0);
            if (!charges.TryGetValue(id, out var list)) charges[id] = list = [];
            list.Add(new OneOffCharge(r.GetString(1), r.GetDecimal(2), r.GetDecimal(3)));
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
            inputs[id] = new BillingInput(e, true, a.Issuer, a.TaxRate, a.PlanId, a.Code, a.Name, a.Currency, a.BaseFee, a.Json,
                usage.TryGetValue(id, out var u) ? u : NoUsage, charges.TryGetValue(id, out var c) ? c : NoCharges);
        }
        return inputs;
    }

    private static BillingInput NotFound() => new(null, false, "", 0m, Guid.Empty, "", "", "", 0L, "[]", NoUsage, NoCharges);

    public ValueTask DisposeAsync() => _requests.DisposeAsync();
}
