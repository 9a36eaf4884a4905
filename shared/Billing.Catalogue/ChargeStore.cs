using Billing.Invoicing;
using Dapper;
using Npgsql;

namespace Billing.Catalogue;

/// <summary><c>charges</c>: one-off items billed with the account's invoice of their period.</summary>
public sealed class ChargeStore(NpgsqlDataSource dataSource)
{
    private const string AccountExistsSql = "select exists (select 1 from accounts where id = @Id)";

    private const string Columns = "id, account_id, period, description, quantity, unit_price, idempotency_key, created_at";

    private static readonly string ByKeySql = $"select {Columns} from charges where idempotency_key = @Key";

    private static readonly string InsertSql = $"""
        insert into charges (id, account_id, period, description, quantity, unit_price, idempotency_key)
        values (@Id, @AccountId, @Period, @Description, @Quantity, @UnitPrice, @Key)
        on conflict (idempotency_key) do nothing
        returning {Columns}
        """;

    private static readonly string ListSql = $"""
        select {Columns} from charges
        where account_id = @AccountId and (@Period::text is null or period = @Period::char(7))
        order by period, created_at, id
        """;

    /// <summary>Created is false when the idempotency key was already stored with the same charge (nothing new written).</summary>
    /// <exception cref="CatalogueNotFoundException">no such account.</exception>
    /// <exception cref="CatalogueConflictException">the period is closed for the account, or the key holds a different charge.</exception>
    public async Task<(Charge Charge, bool Created)> AddAsync(Guid accountId, NewCharge charge, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await EnsureAccountAsync(conn, tx, accountId, ct);
        var period = charge.Period.ToString();
        await conn.ExecuteAsync(new CommandDefinition(PeriodLock.SharedSql, new { Periods = new[] { period } }, tx, cancellationToken: ct));

        if (charge.IdempotencyKey is { } key && await ByKeyAsync(conn, tx, key, ct) is { } existing)
            return (Same(existing, accountId, charge), false);

        var closed = await conn.QueryFirstOrDefaultAsync<PeriodLock.Closed>(new CommandDefinition(PeriodLock.ClosedSql,
            new { Accounts = new[] { accountId }, Periods = new[] { period } }, tx, cancellationToken: ct));
        if (closed is not null)
            throw new CatalogueConflictException("Period closed", "period",
                $"period {period} is closed for account {accountId}: {closed.Reason}; add the charge to an open period instead");

        var inserted = await conn.QuerySingleOrDefaultAsync<Charge>(new CommandDefinition(InsertSql, new
        {
            Id = Guid.CreateVersion7(), AccountId = accountId, Period = period, charge.Description, charge.Quantity, charge.UnitPrice,
            Key = charge.IdempotencyKey,
        }, tx, cancellationToken: ct));
        if (inserted is null)
        {
            // A concurrent request with the same key won: answer with its charge, as a resend would get.
            await tx.RollbackAsync(ct);
            return (Same((await ByKeyAsync(conn, null, charge.IdempotencyKey!, ct))!, accountId, charge), false);
        }
        await tx.CommitAsync(ct);
        return (inserted, true);
    }

    /// <exception cref="CatalogueNotFoundException">no such account.</exception>
    public async Task<IReadOnlyList<Charge>> ListAsync(Guid accountId, BillingPeriod? period, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await EnsureAccountAsync(conn, null, accountId, ct);
        return (await conn.QueryAsync<Charge>(new CommandDefinition(ListSql,
            new { AccountId = accountId, Period = period?.ToString() }, cancellationToken: ct))).ToList();
    }

    private static async Task EnsureAccountAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Guid accountId, CancellationToken ct)
    {
        if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition(AccountExistsSql, new { Id = accountId }, tx, cancellationToken: ct)))
            throw new CatalogueNotFoundException($"no account {accountId}");
    }

    private static Task<Charge?> ByKeyAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string key, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<Charge>(new CommandDefinition(ByKeySql, new { Key = key }, tx, cancellationToken: ct));

    private static Charge Same(Charge existing, Guid accountId, NewCharge charge) =>
        existing.AccountId == accountId && existing.Period == charge.Period.ToString() && existing.Description == charge.Description
        && existing.Quantity == charge.Quantity && existing.UnitPrice == charge.UnitPrice
            ? existing
            : throw new CatalogueConflictException("Idempotency key reused", "idempotency_key",
                $"'{charge.IdempotencyKey}' was already used for a different charge ({existing.Id}: {existing.Description}, period {existing.Period})");
}
