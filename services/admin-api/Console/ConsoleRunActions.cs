using Billing.AdminApi.Endpoints;
using Billing.AdminApi.OperatorConsole.Components;
using Billing.Invoicing.Infrastructure;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>What an operator does to runs beyond starting one: preview a period, retry a run's failures, cancel a run.</summary>
public static class ConsoleRunActions
{
    public const string CancelConfirmField = "confirm";

    public static void Map(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        ConsoleForms.Form(write.MapPost("/runs/preview", PreviewAsync));
        ConsoleForms.Form(write.MapPost("/runs/{id:guid}/retry-failed", RetryFailedAsync));
        ConsoleForms.Form(write.MapPost("/runs/{id:guid}/cancel", CancelAsync));
    }

    /// <summary>What a run of the period would issue now, as <c>POST /api/runs/preview</c> computes it; writes nothing.</summary>
    private static async Task<RazorComponentResult> PreviewAsync(HttpContext http, ConsoleRuns runs, RunPreviewQuery preview, TimeProvider time,
        CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var text = form["period"].ToString().Trim();
        var problem = RunOperations.PeriodProblem(text.Length == 0 ? null : text, time, out var period);
        var result = problem is null ? await preview.PreviewAsync(period, 20, ct) : null;
        return ConsolePages.Render<RunsPage>(new
        {
            User = ConsoleUser.From(http.User),
            Page = await runs.PageAsync(null, ct),
            Period = text,
            PeriodError = problem,
            Preview = result,
        }, problem is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> RetryFailedAsync(HttpContext http, Guid id, NpgsqlDataSource db, IPublishEndpoint publish,
        ISendEndpointProvider send, CancellationToken ct)
    {
        var retried = await RunOperations.RetryFailedAsync(id, http.User.Identity?.Name ?? "operator", db, publish, send, ct);
        if (retried is not var (count, _)) return NoRun(http, id);
        return ConsoleForms.SeeOther($"{ConsolePaths.Root}/runs/{id}?retried={count}");
    }

    /// <summary>Cancels the run as <c>POST /api/runs/{id}/cancel</c> does, once the operator ticked the confirmation.</summary>
    private static async Task<IResult> CancelAsync(HttpContext http, Guid id, NpgsqlDataSource db, ConsoleRuns runs, TimeProvider time,
        CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        if (form[CancelConfirmField] != "yes")
        {
            if (await runs.ViewAsync(id, details: true, ct) is not { } view) return NoRun(http, id);
            return ConsolePages.Render<RunPage>(new
            {
                User = ConsoleUser.From(http.User),
                View = view,
                At = time.GetUtcNow(),
                CancelError = "Confirm: tick the box to say the run is to be cancelled.",
            }, StatusCodes.Status400BadRequest);
        }
        var (outcome, run) = await new RunStore(db).CancelAsync(id, http.User.Identity?.Name, ct);
        return outcome switch
        {
            CancelOutcome.NotFound => NoRun(http, id),
            CancelOutcome.AlreadyOver => ConsolePages.Error(http, StatusCodes.Status409Conflict, "Nothing to cancel",
                $"Run {id} is already {ConsoleText.Status(run!.Status).Label.ToLowerInvariant()}."),
            _ => ConsoleForms.SeeOther($"{ConsolePaths.Root}/runs/{id}?cancelled=1"),
        };
    }

    private static RazorComponentResult NoRun(HttpContext http, Guid id) =>
        ConsolePages.Error(http, StatusCodes.Status404NotFound, "Run not found", $"There is no run {id}.");
}
