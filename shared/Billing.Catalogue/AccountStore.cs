using System.Text.Json;
using Billing.Invoicing;
using Dapper;
using Npgsql;

namespace Billing.Catalogue;

/// <summary><c>accounts</c>. Ids are UUIDv7, so the keyset order of a listing is roughly creation order.</summary>
public sealed partial class AccountStore(NpgsqlDataSource dataSource)
{
    // One statement for one account or ten thousand: a batch is loaded in a single round trip and transaction.
    private const string InsertSql = """
        insert into accounts (id, name, billing_email, address, currency, plan_id, tax_rate, stripe_customer_id, external_ref, issuer,
                              billing_starts_on, billing_ends_on)
        select id, name, email, address, currency, plan_id, tax_rate, stripe_id, ref, issuer,
               coalesce(starts_on, (now() at time zone 'UTC')::date), ends_on
        from unnest(@Ids::uuid[], @Names::text[], @Emails::text[], @Addresses::jsonb[], @Currencies::text[],
                    @PlanIds::uuid[], @TaxRates::numeric[], @StripeIds::text[], @Refs::text[], @Issuers::text[], @Starts::timestamp[]::date[], @Ends::timestamp[]::date[])
            as x(id, name, email, address, currency, plan_id, tax_rate, stripe_id, ref, issuer, starts_on, ends_on)
        returning id, created_at, billing_starts_on
        """;

    private const string TakenRefsSql = "select external_ref from accounts where external_ref = any(@Refs)";

    private const string Columns = """
        a.id, a.name, a.billing_email, a.address::text as address, a.currency, a.plan_id, p.code as plan_code,
        a.tax_rate, a.stripe_customer_id, a.external_ref, a.issuer, a.active, a.created_at, a.billing_starts_on, a.billing_ends_on
        """;

    private static readonly string SelectOneSql = $"select {Columns} from accounts a join plans p on p.id = a.plan_id where a.id = @Id";

    private static readonly string PageSql = $"""
        select {Columns} from accounts a join plans p on p.id = a.plan_id
        where (@PlanId::uuid is null or a.plan_id = @PlanId) and (@After::uuid is null or a.id > @After)
        order by a.id
        limit @Take
        """;

    private static readonly JsonSerializerOptions AddressJson = new();

    /// <exception cref="DomainValidationException">unknown plan, or a currency other than the plan's.</exception>
    /// <exception cref="CatalogueConflictException">external_ref already used.</exception>
    public async Task<Account> CreateAsync(NewAccount account, CancellationToken ct) =>
        (await InsertAsync([account], field: _ => "", ct))[0];

    /// <summary>All or nothing, in one transaction; problems are named <c>accounts[i].field</c>.</summary>
    public Task<IReadOnlyList<Account>> CreateManyAsync(IReadOnlyList<NewAccount> accounts, CancellationToken ct) =>
        InsertAsync(accounts, field: i => $"accounts[{i}].", ct);

    public async Task<Account?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(SelectOneSql, new { Id = id }, cancellationToken: ct));
        return row?.ToAccount();
    }

    /// <param name="plan">Only accounts on this plan (code or id); unknown → <see cref="DomainValidationException"/> on <c>plan</c>.</param>
    public async Task<Page<Account>> ListAsync(string? plan, int limit, Guid? after, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        Guid? planId = null;
        if (plan is not null)
            planId = (await PlanStore.FindAsync(conn, null, plan, ct))?.Id
                ?? throw new DomainValidationException("plan", $"no plan with code or id '{plan}'");
        var rows = (await conn.QueryAsync<AccountRow>(new CommandDefinition(PageSql,
            new { PlanId = planId, After = after, Take = limit + 1 }, cancellationToken: ct))).ToList();
        var items = rows.Take(limit).Select(r => r.ToAccount()).ToList();
        return new Page<Account>(items, rows.Count > limit ? items[^1].Id : null);
    }

    private async Task<IReadOnlyList<Account>> InsertAsync(IReadOnlyList<NewAccount> accounts, Func<int, string> field, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);

        var plans = new Dictionary<string, Plan?>(StringComparer.Ordinal);
        foreach (var reference in accounts.Select(a => a.Plan).Distinct())
            plans[reference] = await PlanStore.FindAsync(conn, tx, reference, ct);
        var errors = new ValidationErrors();
        for (var i = 0; i < accounts.Count; i++)
        {
            var a = accounts[i];
            if (plans[a.Plan] is not { } plan) errors.Add(field(i) + "plan", $"no plan with code or id '{a.Plan}'");
            else if (a.Currency is not null && a.Currency != plan.Currency)
                errors.Add(field(i) + "currency", $"{a.Currency} differs from the currency of plan '{plan.Code}' ({plan.Currency}); an account is invoiced in its plan's currency");
        }
        CatalogueValidation.ThrowIfAny(errors);

        var refs = accounts.Select(a => a.ExternalRef).OfType<string>().ToArray();
        if (refs.Length > 0)
        {
            var taken = (await conn.QueryAsync<string>(new CommandDefinition(TakenRefsSql, new { Refs = refs }, tx, cancellationToken: ct))).ToHashSet();
            var clashes = accounts.Select((a, i) => (a, i)).Where(x => x.a.ExternalRef is { } r && taken.Contains(r))
                .Select(x => new ValidationError(field(x.i) + "external_ref", $"an account with external_ref '{x.a.ExternalRef}' already exists")).ToList();
            if (clashes.Count > 0) throw new CatalogueConflictException("Duplicate external_ref", clashes.Take(25).ToList());
        }

        var ids = accounts.Select(_ => Guid.CreateVersion7()).ToArray();
        List<(Guid Id, DateTime CreatedAt, DateOnly StartsOn)> inserted;
        try
        {
            inserted = (await conn.QueryAsync<(Guid, DateTime, DateOnly)>(new CommandDefinition(InsertSql, new
            {
                Ids = ids,
                Names = accounts.Select(a => a.Name).ToArray(),
                Emails = accounts.Select(a => a.BillingEmail).ToArray(),
                Addresses = accounts.Select(a => JsonSerializer.Serialize(a.Address, AddressJson)).ToArray(),
                Currencies = accounts.Select(a => plans[a.Plan]!.Currency).ToArray(),
                PlanIds = accounts.Select(a => plans[a.Plan]!.Id).ToArray(),
                TaxRates = accounts.Select(a => a.TaxRate).ToArray(),
                StripeIds = accounts.Select(a => a.StripeCustomerId).ToArray(),
                Refs = accounts.Select(a => a.ExternalRef).ToArray(),
                Issuers = accounts.Select(a => a.Issuer).ToArray(),
                // Dapper has no DateOnly parameters; a DateTime at midnight casts to the same date.
                Starts = accounts.Select(a => a.BillingStartsOn?.ToDateTime(TimeOnly.MinValue)).ToArray(),
                Ends = accounts.Select(a => a.BillingEndsOn?.ToDateTime(TimeOnly.MinValue)).ToArray(),
            }, tx, cancellationToken: ct))).ToList();
            await tx.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && e.ConstraintName == "accounts_billing_dates")
        {
            // Only without a start date: an end before today, the start it defaults to.
            throw new DomainValidationException(field(0).Length == 0 ? "billing_ends_on" : "accounts", "is before the billing start (the day of creation when billing_starts_on is absent)");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "accounts_external_ref_key")
        {
            // Another request took the reference between our check and the insert.
            throw new CatalogueConflictException("Duplicate external_ref", field(0).Length == 0 ? "external_ref" : "accounts",
                "an external_ref in this request was taken by a concurrent request; nothing was written");
        }
        var created = inserted.ToDictionary(r => r.Id);
        return accounts.Select((a, i) =>
        {
            var plan = plans[a.Plan]!;
            return new Account(ids[i], a.Name, a.BillingEmail, a.Address, plan.Currency, plan.Id, plan.Code, a.TaxRate,
                a.StripeCustomerId, a.ExternalRef, a.Issuer, true, created[ids[i]].CreatedAt,
                created[ids[i]].StartsOn, a.BillingEndsOn);
        }).ToList();
    }

    private sealed class AccountRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string BillingEmail { get; init; } = "";
        public string Address { get; init; } = "{}";
        public string Currency { get; init; } = "";
        public Guid PlanId { get; init; }
        public string PlanCode { get; init; } = "";
        public decimal TaxRate { get; init; }
        public string? StripeCustomerId { get; init; }
        public string? ExternalRef { get; init; }
        public string Issuer { get; init; } = "";
        public bool Active { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateOnly BillingStartsOn { get; init; }
        public DateOnly? BillingEndsOn { get; init; }

        public Account ToAccount() => new(Id, Name, BillingEmail, JsonSerializer.Deserialize<Address>(Address, AddressJson)!,
            Currency, PlanId, PlanCode, TaxRate, StripeCustomerId, ExternalRef, Issuer, Active, CreatedAt,
            BillingStartsOn, BillingEndsOn);
    }
}
