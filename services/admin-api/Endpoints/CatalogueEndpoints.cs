using System.Security.Claims;
using Billing.Catalogue;
using Billing.Catalogue.Json;
using Billing.Catalogue.Requests;
using Billing.Api.Contracts;
using Npgsql;

namespace Billing.AdminApi.Endpoints;

/// <summary>Plans, accounts, usage and one-off charges. Each handler validates, makes one store call and answers;
/// <see cref="CatalogueProblems"/> turns validation, conflict and not-found exceptions into problem+json.</summary>
public static class CatalogueEndpoints
{
    public static void MapCatalogue(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        var r = read.MapGroup("/api").AddEndpointFilter(CatalogueProblems.Translate);
        var w = write.MapGroup("/api").AddEndpointFilter(CatalogueProblems.Translate);

        w.MapPost("/plans", async (HttpRequest http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var plan = CatalogueValidation.Plan(await CatalogueJson.ReadAsync<PlanRequest>(http.Body, ct));
            var created = await new PlanStore(db).CreateAsync(plan, ct);
            return Results.Created($"/api/plans/{created.Code}", created.ToResponse());
        });
        r.MapGet("/plans", async (NpgsqlDataSource db, CancellationToken ct) =>
            Results.Ok(new PlanList((await new PlanStore(db).ListAsync(ct)).Select(p => p.ToResponse()).ToList())));
        r.MapGet("/plans/{idOrCode}", async (string idOrCode, NpgsqlDataSource db, CancellationToken ct) =>
            Results.Ok((await new PlanStore(db).FindAsync(idOrCode, ct) ?? throw new CatalogueNotFoundException($"no plan with code or id '{idOrCode}'")).ToResponse()));

        w.MapPost("/accounts", async (HttpRequest http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var account = CatalogueValidation.Account(await CatalogueJson.ReadAsync<AccountRequest>(http.Body, ct));
            var created = await new AccountStore(db).CreateAsync(account, ct);
            return Results.Created($"/api/accounts/{created.Id}", created.ToResponse());
        });
        w.MapPost("/accounts/batch", async (HttpRequest http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var accounts = CatalogueValidation.Accounts(await CatalogueJson.ReadAsync<AccountBatchRequest>(http.Body, ct));
            var created = await new AccountStore(db).CreateManyAsync(accounts, ct);
            return Results.Json(new AccountsCreated(created.Count, created.Select(a => a.ToResponse()).ToList()), statusCode: StatusCodes.Status201Created);
        });
        r.MapGet("/accounts", async (string? plan, string? limit, string? after, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var (take, afterId) = CatalogueValidation.PageQuery(limit, after);
            var page = await new AccountStore(db).ListAsync(plan, take, afterId, ct);
            return Results.Ok(new AccountPage(page.Items.Select(a => a.ToResponse()).ToList(), page.NextAfter));
        });
        r.MapGet("/accounts/{id}", async (string id, NpgsqlDataSource db, CancellationToken ct) =>
            Results.Ok((await new AccountStore(db).FindAsync(AccountId(id), ct) ?? throw new CatalogueNotFoundException($"no account {id}")).ToResponse()));

        // Changes apply to every invoice, email and resend made afterwards (they read the account when they run).
        w.MapPatch("/accounts/{id}", async (string id, HttpRequest http, ClaimsPrincipal user, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        {
            var accountId = AccountId(id);
            var changes = CatalogueValidation.AccountPatch(await CatalogueJson.ReadElementAsync(http.Body, ct));
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            return Results.Ok((await new AccountStore(db).UpdateAsync(accountId, changes, user.Identity?.Name ?? "unknown", today, ct)).ToResponse());
        });
        r.MapGet("/accounts/{id}/history", async (string id, NpgsqlDataSource db, CancellationToken ct) =>
            Results.Ok(new AccountHistory((await new AccountStore(db).HistoryAsync(AccountId(id), ct)).Select(h => h.ToResponse()).ToList())));

        w.MapPost("/accounts/{id}/charges", async (string id, HttpRequest http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var charge = CatalogueValidation.Charge(await CatalogueJson.ReadAsync<ChargeRequest>(http.Body, ct));
            var (stored, created) = await new ChargeStore(db).AddAsync(AccountId(id), charge, ct);
            return created ? Results.Created($"/api/accounts/{id}/charges", stored.ToResponse()) : Results.Ok(stored.ToResponse());
        });
        r.MapGet("/accounts/{id}/charges", async (string id, string? period, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var filter = CatalogueValidation.OptionalPeriod(period);
            return Results.Ok(new ChargeList((await new ChargeStore(db).ListAsync(AccountId(id), filter, ct)).Select(c => c.ToResponse()).ToList()));
        });

        w.MapPost("/usage", async (HttpRequest http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        {
            var records = CatalogueValidation.Usage(await CatalogueJson.ReadAsync<UsageBatchRequest>(http.Body, ct), clock.GetUtcNow());
            return Results.Ok((await new UsageStore(db).AppendAsync(records, ct)).ToResponse());
        });
    }

    // A path id that is not a UUID names no account: 404 like an unknown one, not a routing miss without a body.
    private static Guid AccountId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw new CatalogueNotFoundException($"no account {id}");
}
