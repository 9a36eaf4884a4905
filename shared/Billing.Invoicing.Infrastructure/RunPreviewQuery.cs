using System.Diagnostics;
using Billing.Invoicing;
using Billing.Mail;
using Dapper;
using Npgsql;

namespace Billing.Invoicing.Infrastructure;

public sealed record PreviewFailure(Guid AccountId, string Reason, string Detail);

public sealed record PreviewCurrency(string Currency, int Invoices, long TotalMinor, int? PreviousInvoices, long? PreviousTotalMinor);

/// <summary>What a run of <see cref="Period"/> would do now; nothing of it is stored.</summary>
public sealed record RunPreview(
    string Period,
    int BillableAccounts,
    int Invoices,
    int AlreadyInvoiced,
    int Skipped,
    int FailingAccounts,
    IReadOnlyDictionary<string, int> FailingByReason,
    IReadOnlyList<PreviewFailure> Failures,
    IReadOnlyList<PreviewCurrency> Totals,
    string PreviousPeriod,
    Guid? PreviousRunId,
    TimeSpan Elapsed);

/// <summary>
/// A dry run: the accounts the fan-out would pick (same query), their inputs read by <see cref="BillingInputLoader"/>
/// and priced by <see cref="BillingInputPricing"/> exactly as the generator does, in pages of thousands (two round
/// trips per page, two pages in flight), and the mailer's address rules and suppression list applied to the billing
/// emails. Reads only.
/// </summary>
public sealed class RunPreviewQuery(NpgsqlDataSource dataSource, BillingInputLoader loader, PlanCache plans)
{
    public const int PageSize = 5000;

    /// <summary>Why an account would fail; a plan error fails generation, the others the email of its invoice.</summary>
    public static class Reasons
    {
        public const string PlanError = "plan_error";
        public const string NoBillingEmail = "no_billing_email";
        public const string InvalidBillingEmail = "invalid_billing_email";
        public const string Suppressed = "suppressed";
    }

    private const string EmailsSql = "select id, billing_email from accounts where id = any($1)";

    private const string SuppressionsSql = "select email, reason from email_suppressions";

    private const string PreviousSql = """
        select id from invoice_runs where period = @period and status = 'completed' order by completed_at desc limit 1
        """;

    // Every invoice of the period counts, also those an earlier (cancelled) run issued before the completed one.
    private const string PreviousTotalsSql = """
        select currency, count(*)::int as invoices, sum(total_minor)::bigint as total_minor
        from invoices where period = @period group by currency
        """;

    public async Task<RunPreview> PreviewAsync(BillingPeriod period, int failuresListed, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var suppressed = await SuppressionsAsync(ct);
        var total = new PageResult(failuresListed);
        var inFlight = new Queue<Task<PageResult>>();
        await foreach (var page in new RunStore(dataSource).BillableAccountPagesAsync(period, PageSize, ct))
        {
            var ids = page.ToArray();
            inFlight.Enqueue(Task.Run(() => PreviewPageAsync(ids, period, suppressed, failuresListed, ct), ct));
            if (inFlight.Count >= 2) total.Add(await inFlight.Dequeue());
        }
        while (inFlight.Count > 0) total.Add(await inFlight.Dequeue());

        var previous = period.Before();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var previousRun = await conn.QueryFirstOrDefaultAsync<Guid?>(new CommandDefinition(PreviousSql, new { period = previous.ToString() }, cancellationToken: ct));
        var before = previousRun is null
            ? new Dictionary<string, CurrencySum>()
            : (await conn.QueryAsync<CurrencySum>(new CommandDefinition(PreviousTotalsSql, new { period = previous.ToString() }, cancellationToken: ct)))
                .ToDictionary(c => c.Currency.Trim());
        var totals = total.Totals.Keys.Union(before.Keys).Order(StringComparer.Ordinal).Select(c =>
        {
            var now = total.Totals.GetValueOrDefault(c);
            var then = before.GetValueOrDefault(c);
            return new PreviewCurrency(c, now?.Invoices ?? 0, now?.TotalMinor ?? 0,
                previousRun is null ? null : then?.Invoices ?? 0, previousRun is null ? null : then?.TotalMinor ?? 0);
        }).ToList();
        return new RunPreview(period.ToString(), total.Billable, total.Invoices, total.AlreadyInvoiced, total.Skipped,
            total.Failing, total.ByReason, total.Failures.OrderBy(f => f.AccountId).ToList(), totals, previous.ToString(), previousRun, clock.Elapsed);
    }

    private async Task<PageResult> PreviewPageAsync(Guid[] ids, BillingPeriod period, IReadOnlyDictionary<string, string> suppressed,
        int failuresListed, CancellationToken ct)
    {
        var inputsTask = loader.ReadAsync(ids, period.ToString());
        var emails = new Dictionary<Guid, string>(ids.Length);
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        await using (var cmd = new NpgsqlCommand(EmailsSql, conn) { Parameters = { new() { Value = ids } } })
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) emails[r.GetGuid(0)] = r.GetString(1);
        var inputs = await inputsTask;

        var result = new PageResult(failuresListed);
        foreach (var id in ids)
        {
            var input = inputs[id];
            // Removed or re-dated since the page was read: the run would not bill it either.
            if (!input.IsBillableIn(period)) continue;
            result.Billable++;
            if (input.Existing is not null)
            {
                result.AlreadyInvoiced++;
                continue;
            }
            ComputedInvoice invoice;
            try
            {
                invoice = BillingInputPricing.Price(input, period, plans).Invoice;
            }
            catch (DomainValidationException e)
            {
                result.Fail(id, Reasons.PlanError, $"plan {input.CurrentPlan?.Code}: {e.Message}");
                continue;
            }
            if (invoice.IsEmpty)
            {
                result.Skipped++;
                continue;
            }
            result.Invoices++;
            var sum = result.Totals.GetValueOrDefault(invoice.Currency);
            result.Totals[invoice.Currency] = new CurrencySum(invoice.Currency, (sum?.Invoices ?? 0) + 1, (sum?.TotalMinor ?? 0) + invoice.TotalMinor);
            // The invoice is issued either way; these stop its email, as the mailer would.
            var email = emails.GetValueOrDefault(id, "").Trim();
            if (email.Length == 0) result.Fail(id, Reasons.NoBillingEmail, "the account has no billing email address");
            else if (!EmailAddresses.IsValid(email)) result.Fail(id, Reasons.InvalidBillingEmail, $"'{email}' is not a valid email address");
            else if (suppressed.TryGetValue(EmailAddresses.Normalize(email), out var why))
                result.Fail(id, Reasons.Suppressed, $"{EmailAddresses.Normalize(email)} is on the suppression list ({why})");
        }
        return result;
    }

    private async Task<IReadOnlyDictionary<string, string>> SuppressionsAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Email, string Reason)>(new CommandDefinition(SuppressionsSql, cancellationToken: ct));
        return rows.ToDictionary(r => r.Email, r => r.Reason, StringComparer.Ordinal);
    }

    private sealed class PageResult(int failuresListed)
    {
        public int Billable, Invoices, AlreadyInvoiced, Skipped, Failing;
        public Dictionary<string, CurrencySum> Totals { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> ByReason { get; } = new(StringComparer.Ordinal);
        public List<PreviewFailure> Failures { get; } = [];

        public void Fail(Guid account, string reason, string detail)
        {
            Failing++;
            ByReason[reason] = ByReason.GetValueOrDefault(reason) + 1;
            if (Failures.Count < failuresListed) Failures.Add(new PreviewFailure(account, reason, detail));
        }

        public void Add(PageResult page)
        {
            Billable += page.Billable;
            Invoices += page.Invoices;
            AlreadyInvoiced += page.AlreadyInvoiced;
            Skipped += page.Skipped;
            Failing += page.Failing;
            foreach (var (c, s) in page.Totals)
            {
                var sum = Totals.GetValueOrDefault(c);
                Totals[c] = new CurrencySum(c, (sum?.Invoices ?? 0) + s.Invoices, (sum?.TotalMinor ?? 0) + s.TotalMinor);
            }
            foreach (var (r, n) in page.ByReason) ByReason[r] = ByReason.GetValueOrDefault(r) + n;
            foreach (var f in page.Failures.Take(failuresListed - Failures.Count)) Failures.Add(f);
        }
    }
}
