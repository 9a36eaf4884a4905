using System.Globalization;
using System.Text.Json;
using Billing.Catalogue.Json;
using Billing.Invoicing;
using Dapper;
using Npgsql;

namespace Billing.Catalogue;

/// <summary>Changing an account: every change is written with its history rows in one transaction, or not at all.</summary>
public sealed partial class AccountStore
{
    private const string LockSql = """
        select a.id, a.name, a.billing_email, a.address::text as address, a.currency, a.plan_id, p.code as plan_code,
               a.tax_rate, a.stripe_customer_id, a.external_ref, a.issuer, a.active, a.created_at, a.billing_starts_on, a.billing_ends_on
        from accounts a join plans p on p.id = a.plan_id where a.id = @Id
        for update of a
        """;

    // The latest period already invoiced for the account, or in which a run started (the run may be billing it now):
    // nothing may change on or before its last day.
    private const string LastClosedSql = """
        select period, reason from (
            select period, 'invoice ' || number || ' was issued for ' || period as reason from invoices where account_id = @Id
            union all
            select period, 'invoice run ' || id || ' for ' || period || ' has started' from invoice_runs
        ) closed
        order by period desc limit 1
        """;

    private const string UpdateSql = """
        update accounts set name = @Name, billing_email = @BillingEmail,
            address = case when @SetAddress then @Address::jsonb else address end, tax_rate = @TaxRate,
            issuer = @Issuer, stripe_customer_id = @StripeCustomerId, external_ref = @ExternalRef,
            billing_ends_on = @EndsOn::timestamp::date, plan_id = @PlanId
        where id = @Id
        """;

    private const string UpsertPlanSql = """
        insert into account_plans (account_id, effective_on, plan_id) values (@Id, @EffectiveOn::timestamp::date, @PlanId)
        on conflict (account_id, effective_on) do update set plan_id = excluded.plan_id, created_at = now()
        """;

    private const string LatestPlanSql = "select plan_id from account_plans where account_id = @Id order by effective_on desc limit 1";

    private const string HistoryInsertSql = """
        insert into account_history (account_id, changed_by, field, old_value, new_value)
        select @Id, @By, f, o, n from unnest(@Fields::text[], @Olds::text[], @News::text[]) as x(f, o, n)
        """;

    private const string HistorySql = """
        select changed_at as ChangedAt, changed_by as ChangedBy, field as Field, old_value as OldValue, new_value as NewValue
        from account_history where account_id = @Id order by id
        """;

    /// <summary>Applies the changes the body named and records each changed field in the account's history.</summary>
    /// <exception cref="CatalogueNotFoundException">no such account.</exception>
    /// <exception cref="DomainValidationException">unknown plan, or a plan in another currency.</exception>
    /// <exception cref="CatalogueConflictException">a date before the billing start, a change reaching into a period
    /// already invoiced (or being invoiced), a taken external_ref.</exception>
    public async Task<Account> UpdateAsync(Guid id, AccountChanges changes, string changedBy, DateOnly today, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(LockSql, new { Id = id }, tx, cancellationToken: ct))
            ?? throw new CatalogueNotFoundException($"no account {id}");
        var old = row.ToAccount();

        Plan? plan = null;
        if (changes.Plan is { } change)
        {
            plan = await PlanStore.FindAsync(conn, tx, change.Reference, ct)
                ?? throw new DomainValidationException(change.Field, $"no plan with {(change.Field == "plan_id" ? "id" : "code or id")} '{change.Reference}'");
            if (plan.Currency != old.Currency)
                throw new DomainValidationException(change.Field, $"plan '{plan.Code}' is in {plan.Currency}; this account is invoiced in {old.Currency}, and an account keeps its currency");
            if (change.EffectiveOn < old.BillingStartsOn)
                throw new CatalogueConflictException("Plan change before the billing start", "plan_effective_on",
                    $"{Day(change.EffectiveOn)} is before the account's billing start {Day(old.BillingStartsOn)}");
        }
        var endsOn = changes.BillingEndsOn.IsSet ? changes.BillingEndsOn.Value : old.BillingEndsOn;
        if (endsOn is { } end && end < old.BillingStartsOn)
            throw new CatalogueConflictException("End before start", "billing_ends_on",
                $"{Day(end)} is before the account's billing start {Day(old.BillingStartsOn)}; the last day billed cannot precede the first");
        if (changes.Plan is { } p2 && endsOn is { } last && p2.EffectiveOn > last)
            throw new CatalogueConflictException("Plan change after the billing end", "plan_effective_on",
                $"{Day(p2.EffectiveOn)} is after the account's last billed day {Day(last)}");

        // The first day whose billing the change alters; it must lie after every period already invoiced.
        var affected = new List<(string Field, DateOnly From)>();
        if (changes.Plan is { } p3) affected.Add(("plan_effective_on", p3.EffectiveOn));
        if (changes.BillingEndsOn.IsSet && changes.BillingEndsOn.Value != old.BillingEndsOn)
        {
            var earlier = (old.BillingEndsOn, changes.BillingEndsOn.Value) switch
            {
                (null, { } n) => n,
                ({ } o, null) => o,
                ({ } o, { } n) => o < n ? o : n,
                _ => DateOnly.MaxValue,
            };
            affected.Add(("billing_ends_on", earlier.AddDays(1)));
        }
        if (affected.Count > 0)
        {
            // A run starting now holds its period's lock exclusively: wait for it, then see it.
            var from = BillingPeriod.Of(affected.Min(a => a.From));
            var to = BillingPeriod.Of(today);
            var periods = new List<string>();
            for (var period = from; period.CompareTo(to) <= 0 && periods.Count < 240; period = period.Next()) periods.Add(period.ToString());
            if (periods.Count == 0) periods.Add(from.ToString());
            await conn.ExecuteAsync(new CommandDefinition(PeriodLock.SharedSql, new { Periods = periods.ToArray() }, tx, cancellationToken: ct));
            var closed = (await conn.QueryAsync<(string Period, string Reason)>(new CommandDefinition(LastClosedSql, new { Id = id }, tx, cancellationToken: ct))).AsList();
            if (closed.Count == 1 && closed[0] is var c && BillingPeriod.TryParse(c.Period.Trim(), out var lastClosed))
                foreach (var (field, day) in affected)
                    if (BillingPeriod.Of(day).CompareTo(lastClosed) <= 0)
                        throw new CatalogueConflictException("Period already invoiced", field,
                            $"the change would alter {BillingPeriod.Of(day)}, which is closed: {c.Reason}; a change can take effect from {Day(lastClosed.Next().FirstDay)} on");
        }

        var updated = old with
        {
            Name = changes.Name.IsSet ? changes.Name.Value : old.Name,
            BillingEmail = changes.BillingEmail.IsSet ? changes.BillingEmail.Value : old.BillingEmail,
            Address = changes.Address.IsSet ? changes.Address.Value : old.Address,
            TaxRate = changes.TaxRate.IsSet ? changes.TaxRate.Value : old.TaxRate,
            Issuer = changes.Issuer.IsSet ? changes.Issuer.Value : old.Issuer,
            StripeCustomerId = changes.StripeCustomerId.IsSet ? changes.StripeCustomerId.Value : old.StripeCustomerId,
            ExternalRef = changes.ExternalRef.IsSet ? changes.ExternalRef.Value : old.ExternalRef,
            BillingEndsOn = endsOn,
        };
        var history = new List<(string Field, string? Old, string? New)>();
        void Note(string field, string? before, string? after)
        {
            if (before != after) history.Add((field, before, after));
        }
        Note("name", old.Name, updated.Name);
        Note("billing_email", old.BillingEmail, updated.BillingEmail);
        Note("address", JsonSerializer.Serialize(old.Address, AddressJson), JsonSerializer.Serialize(updated.Address, AddressJson));
        Note("tax_rate", DecimalText.Format(old.TaxRate), DecimalText.Format(updated.TaxRate));
        Note("issuer", old.Issuer, updated.Issuer);
        Note("stripe_customer_id", old.StripeCustomerId, updated.StripeCustomerId);
        Note("external_ref", old.ExternalRef, updated.ExternalRef);
        Note("billing_ends_on", old.BillingEndsOn is { } oe ? Day(oe) : null, endsOn is { } ne ? Day(ne) : null);

        try
        {
            if (changes.Plan is { } p4)
            {
                await conn.ExecuteAsync(new CommandDefinition(UpsertPlanSql,
                    new { Id = id, EffectiveOn = p4.EffectiveOn.ToDateTime(TimeOnly.MinValue), PlanId = plan!.Id }, tx, cancellationToken: ct));
                var current = await conn.ExecuteScalarAsync<Guid>(new CommandDefinition(LatestPlanSql, new { Id = id }, tx, cancellationToken: ct));
                history.Add(("plan", old.PlanCode, $"{plan.Code} from {Day(p4.EffectiveOn)}"));
                updated = updated with { PlanId = current, PlanCode = current == plan.Id ? plan.Code : old.PlanCode };
            }
            await conn.ExecuteAsync(new CommandDefinition(UpdateSql, new
            {
                Id = id, updated.Name, updated.BillingEmail, SetAddress = changes.Address.IsSet,
                Address = JsonSerializer.Serialize(updated.Address, AddressJson), updated.TaxRate,
                updated.Issuer, updated.StripeCustomerId, updated.ExternalRef, EndsOn = endsOn?.ToDateTime(TimeOnly.MinValue), updated.PlanId,
            }, tx, cancellationToken: ct));
            if (history.Count > 0)
                await conn.ExecuteAsync(new CommandDefinition(HistoryInsertSql, new
                {
                    Id = id, By = changedBy,
                    Fields = history.Select(h => h.Field).ToArray(), Olds = history.Select(h => h.Old).ToArray(), News = history.Select(h => h.New).ToArray(),
                }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "accounts_external_ref_key")
        {
            throw new CatalogueConflictException("Duplicate external_ref", "external_ref", $"an account with external_ref '{updated.ExternalRef}' already exists");
        }
        return (await FindAsync(id, ct))!;
    }

    /// <summary>The account's changes, oldest first.</summary>
    /// <exception cref="CatalogueNotFoundException">no such account.</exception>
    public async Task<IReadOnlyList<AccountHistoryEntry>> HistoryAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<int>(new CommandDefinition("select count(*)::int from accounts where id = @Id", new { Id = id }, cancellationToken: ct)) == 0)
            throw new CatalogueNotFoundException($"no account {id}");
        return (await conn.QueryAsync<AccountHistoryEntry>(new CommandDefinition(HistorySql, new { Id = id }, cancellationToken: ct))).AsList();
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
