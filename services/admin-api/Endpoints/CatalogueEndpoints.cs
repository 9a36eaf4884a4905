using Microsoft.AspNetCore.Http.HttpResults;
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
    public static void MapCatalogueEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        MapPlans(read.MapGroup("/api/plans").WithTags("Plans").AddEndpointFilter(CatalogueProblems.Translate),
            write.MapGroup("/api/plans").WithTags("Plans").AddEndpointFilter(CatalogueProblems.Translate));
        MapAccounts(read.MapGroup("/api/accounts").WithTags("Accounts").AddEndpointFilter(CatalogueProblems.Translate),
            write.MapGroup("/api/accounts").WithTags("Accounts").AddEndpointFilter(CatalogueProblems.Translate));
        var usage = write.MapGroup("/api/usage").WithTags("Usage").AddEndpointFilter(CatalogueProblems.Translate);
        usage.MapPost("", async Task<Ok<UsageAccepted>> (HttpRequest http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        {
            var records = CatalogueValidation.Usage(await CatalogueJson.ReadAsync<UsageBatchRequest>(http.Body, ct), clock.GetUtcNow());
            return TypedResults.Ok((await new UsageStore(db).AppendAsync(records, ct)).ToResponse());
        }).Body<RecordUsageRequest>().ProducesValidationProblem()
            .WithSummary("Record usage (at most 10,000 records); duplicates by idempotency_key are counted, not stored twice");
    }

    private static void MapPlans(RouteGroupBuilder r, RouteGroupBuilder w)
    {

        w.MapPost("", async Task<Created<PlanResponse>> (HttpRequest http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var plan = CatalogueValidation.Plan(await CatalogueJson.ReadAsync<PlanRequest>(http.Body, ct));
            var created = await new PlanStore(db).CreateAsync(plan, ct);
            return TypedResults.Created($"/api/plans/{created.Code}", created.ToResponse());
        }).Body<CreatePlanRequest>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Create a plan");
        r.MapGet("", async Task<Ok<PlanList>> (NpgsqlDataSource db, CancellationToken ct) =>
            TypedResults.Ok(new PlanList((await new PlanStore(db).ListAsync(ct)).Select(p => p.ToResponse()).ToList()))).WithSummary("Every plan");
        r.MapGet("/{idOrCode}", async Task<Ok<PlanResponse>> (string idOrCode, NpgsqlDataSource db, CancellationToken ct) =>
            TypedResults.Ok((await new PlanStore(db).FindAsync(idOrCode, ct) ?? throw new CatalogueNotFoundException($"no plan with code or id '{idOrCode}'")).ToResponse()))
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("A plan by code or id");
    }

    private static void MapAccounts(RouteGroupBuilder r, RouteGroupBuilder w)
    {
        w.MapPost("", async Task<Created<AccountResponse>> (HttpRequest http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var account = CatalogueValidation.Account(await CatalogueJson.ReadAsync<AccountRequest>(http.Body, ct));
            var created = await new AccountStore(db).CreateAsync(account, ct);
            return TypedResults.Created($"/api/accounts/{created.Id}", created.ToResponse());
        }).Body<CreateAccountRequest>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Create an account");
        w.MapPost("/batch", async Task<Created<AccountsCreated>> (HttpRequest http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var accounts = CatalogueValidation.Accounts(await CatalogueJson.ReadAsync<AccountBatchRequest>(http.Body, ct));
            var created = await new AccountStore(db).CreateManyAsync(accounts, ct);
            return TypedResults.Created((string?)null, new AccountsCreated(created.Count, created.Select(a => a.ToResponse()).ToList()));
        }).Body<CreateAccountsRequest>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create up to 10,000 accounts at once, all or none");
        r.MapGet("", async Task<Ok<AccountPage>> (string? plan, string? limit, string? after, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var (take, afterId) = CatalogueValidation.PageQuery(limit, after);
            var page = await new AccountStore(db).ListAsync(plan, take, afterId, ct);
            return TypedResults.Ok(new AccountPage(page.Items.Select(a => a.ToResponse()).ToList(), page.NextAfter));
        }).ProducesValidationProblem().WithSummary("Accounts in id order, a page at a time, optionally of one plan");
        r.MapGet("/{id}", async Task<Ok<AccountResponse>> (string id, NpgsqlDataSource db, CancellationToken ct) =>
            TypedResults.Ok((await new AccountStore(db).FindAsync(AccountId(id), ct) ?? throw new CatalogueNotFoundException($"no account {id}")).ToResponse()))
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("An account");

        // Changes apply to every invoice, email and resend made afterwards (they read the account when they run).
        w.MapPatch("/{id}", async Task<Ok<AccountResponse>> (string id, HttpRequest http, ClaimsPrincipal user, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        {
            var accountId = AccountId(id);
            var changes = CatalogueValidation.AccountPatch(await CatalogueJson.ReadElementAsync(http.Body, ct));
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            return TypedResults.Ok((await new AccountStore(db).UpdateAsync(accountId, changes, user.Identity?.Name ?? "unknown", today, ct)).ToResponse());
        }).Body<UpdateAccountRequest>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Change an account; each change is kept in its history");
        r.MapGet("/{id}/history", async Task<Ok<AccountHistory>> (string id, NpgsqlDataSource db, CancellationToken ct) =>
            TypedResults.Ok(new AccountHistory((await new AccountStore(db).HistoryAsync(AccountId(id), ct)).Select(h => h.ToResponse()).ToList())))
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Every change of an account");

        w.MapPost("/{id}/charges", async Task<Results<Created<ChargeResponse>, Ok<ChargeResponse>>> (string id, HttpRequest http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var charge = CatalogueValidation.Charge(await CatalogueJson.ReadAsync<ChargeRequest>(http.Body, ct));
            var (stored, created) = await new ChargeStore(db).AddAsync(AccountId(id), charge, ct);
            return created ? TypedResults.Created($"/api/accounts/{id}/charges", stored.ToResponse()) : TypedResults.Ok(stored.ToResponse());
        }).Body<AddChargeRequest>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Add a one-off charge; the same idempotency_key again answers the stored one (200)");
        r.MapGet("/{id}/charges", async Task<Ok<ChargeList>> (string id, string? period, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var filter = CatalogueValidation.OptionalPeriod(period);
            return TypedResults.Ok(new ChargeList((await new ChargeStore(db).ListAsync(AccountId(id), filter, ct)).Select(c => c.ToResponse()).ToList()));
        }).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("The charges of an account, optionally of one period");
    }

    // A path id that is not a UUID names no account: 404 like an unknown one, not a routing miss without a body.
    private static Guid AccountId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw new CatalogueNotFoundException($"no account {id}");
}
