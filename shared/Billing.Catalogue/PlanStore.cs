using Billing.Invoicing;
using Dapper;
using Npgsql;

namespace Billing.Catalogue;

/// <summary><c>plans</c>: components are written with <see cref="PlanComponentsJson.Serialize"/> and read with
/// <see cref="PlanComponentsJson.Parse"/>, the shape the invoice generator prices from.</summary>
public sealed class PlanStore(NpgsqlDataSource dataSource)
{
    private const string InsertSql = """
        insert into plans (id, code, name, currency, base_fee_minor, components)
        values (@Id, @Code, @Name, @Currency, @BaseFeeMinor, @Components::jsonb)
        on conflict (code) do nothing
        returning created_at
        """;

    private const string Columns = "id, code, name, currency, base_fee_minor, components::text as components, created_at";

    private static readonly string SelectOneSql = $"select {Columns} from plans where code = @Code or id = @Id";

    private static readonly string SelectAllSql = $"select {Columns} from plans order by code";

    public async Task<Plan> CreateAsync(PlanDefinition plan, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var created = await conn.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(InsertSql, new
        {
            Id = id, plan.Code, plan.Name, plan.Currency, plan.BaseFeeMinor,
            Components = PlanComponentsJson.Serialize(plan.Components),
        }, cancellationToken: ct));
        if (created is null)
            throw new CatalogueConflictException("Duplicate plan code", "code", $"a plan with code '{plan.Code}' already exists");
        return new Plan(id, plan.Code, plan.Name, plan.Currency, plan.BaseFeeMinor, plan.Components, created.Value);
    }

    /// <summary>By code, or by id when <paramref name="idOrCode"/> is a UUID; null when there is none.</summary>
    public async Task<Plan?> FindAsync(string idOrCode, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await FindAsync(conn, null, idOrCode, ct);
    }

    public async Task<IReadOnlyList<Plan>> ListAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<PlanRow>(new CommandDefinition(SelectAllSql, cancellationToken: ct));
        return rows.Select(r => r.ToPlan()).ToList();
    }

    internal static async Task<Plan?> FindAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string idOrCode, CancellationToken ct)
    {
        Guid? id = Guid.TryParse(idOrCode, out var parsed) ? parsed : null;
        var row = await conn.QuerySingleOrDefaultAsync<PlanRow>(
            new CommandDefinition(SelectOneSql, new { Code = idOrCode, Id = id }, tx, cancellationToken: ct));
        return row?.ToPlan();
    }

    private sealed class PlanRow
    {
        public Guid Id { get; init; }
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string Currency { get; init; } = "";
        public long BaseFeeMinor { get; init; }
        public string Components { get; init; } = "[]";
        public DateTime CreatedAt { get; init; }

        public Plan ToPlan() => new(Id, Code, Name, Currency, BaseFeeMinor, PlanComponentsJson.Parse(Components), CreatedAt);
    }
}
