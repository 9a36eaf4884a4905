using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Api.Contracts;
using Spectre.Console;

namespace Billing.Cli.Commands;

/// <summary><c>billing run start|preview|status|cancel|retry-failed|list</c>: the monthly invoice run.</summary>
public static class RunCommands
{
    private static readonly string[] StageNames = ["generated", "rendered", "emailed", "synced"];

    public static Command Run()
    {
        var run = new Command("run", "Start and follow the monthly invoice run");
        run.Subcommands.Add(Start());
        run.Subcommands.Add(Preview());
        run.Subcommands.Add(Status());
        run.Subcommands.Add(Cancel());
        run.Subcommands.Add(RetryFailed());
        run.Subcommands.Add(List());
        return run;
    }

    private static Command Start()
    {
        var period = new Option<string>("--period") { Description = "The month to invoice, yyyy-MM (e.g. 2026-10); it must have ended", Required = true };
        var watch = new Option<bool>("--watch") { Description = "Show a live progress bar until the run is complete" };
        var command = new Command("start", "Start the invoice run of a period");
        command.Options.Add(period);
        command.Options.Add(watch);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var started = await api.PostAsync<RunAccepted>("/api/runs", new StartRunRequest(parse.GetValue(period)), ct);
            var id = started.RunId.ToString();
            Console.WriteLine($"run {id} started for {parse.GetValue(period)}");
            return parse.GetValue(watch) ? await WatchAsync(api, id, ct) : 0;
        });
        return command;
    }

    private static Command Preview()
    {
        var period = new Option<string>("--period") { Description = "The month to preview, yyyy-MM (e.g. 2026-10); it must have ended", Required = true };
        var output = new Option<string>("--output") { Description = "table (default) or json (the API's answer)", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("preview", """
            What a run of the period would issue now, priced exactly as the run prices it; nothing is written.
            Shows per currency the invoices and their total, the change against the previous period's completed run,
            and the accounts that would fail (broken plan, no or invalid billing email, suppressed address).

            Examples:
              billing run preview --period 2026-10
              billing run preview --period 2026-10 --output json
            """);
        command.Options.Add(period);
        command.Options.Add(output);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var answer = await api.PostAsync("/api/runs/preview", new StartRunRequest(parse.GetValue(period)), ct);
            if (parse.GetValue(output) == "json")
            {
                Console.WriteLine(JsonSerializer.Serialize(answer, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            PrintPreview(ApiClient.Read<RunPreviewResponse>(answer, "/api/runs/preview"));
            return 0;
        });
        return command;
    }

    private static void PrintPreview(RunPreviewResponse p)
    {
        var previous = p.Previous;
        Console.WriteLine($"preview of {p.Period}: {p.BillableAccounts:N0} billable accounts, {p.Invoices:N0} invoices would be issued, "
            + $"{p.AlreadyInvoiced:N0} already invoiced, {p.Skipped:N0} with nothing to bill ({Wire.Text(p.ElapsedMs)} ms; nothing written)");
        var table = CommandBase.NewTable("currency", "invoices", "total", $"previous ({previous.Period})", "change");
        foreach (var t in p.Totals)
        {
            var currency = t.Currency;
            var change = t.ChangeMinor is { } delta ? MoneyDisplay.Text(delta, currency, signed: true) : "";
            if (t.ChangePercent is not null) change += $" ({t.ChangePercent}%)";
            var before = t.PreviousTotalMinor is { } was ? MoneyDisplay.Text(was, currency) : "no completed run";
            table.AddRow(currency, t.Invoices.ToString("N0", CultureInfo.InvariantCulture), MoneyDisplay.Text(t.TotalMinor, currency), before, change);
        }
        table.Write();
        var failing = p.Failing;
        var reasons = failing.ByReason.Select(r => $"{r.Key} {r.Value:N0}");
        Console.WriteLine($"accounts that would fail: {failing.Accounts:N0}" + (failing.Accounts > 0 ? $" ({string.Join(", ", reasons)})" : ""));
        if (failing.Listed.Count == 0) return;
        var ft = CommandBase.NewTable("account", "reason", "detail");
        foreach (var f in failing.Listed)
            ft.AddRow(Wire.Text(f.AccountId), f.Reason, Markup.Escape(f.Detail));
        ft.Write();
        if (failing.Truncated)
            Console.WriteLine($"(first {failing.Listed.Count} listed; --output json for the counts by reason)");
    }

    private static Command Cancel()
    {
        var id = new Argument<string>("run-id") { Description = "Run id" };
        var command = new Command("cancel", """
            Stop a run issuing invoices: requests still queued are skipped (no invoice, no number taken); invoices already
            issued still get their PDF, email and ledger entry, then the run is cancelled.

            Examples:
              billing run cancel 0193a1c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
              billing run status 0193a1c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
            """);
        command.Arguments.Add(id);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var runId = parse.GetValue(id)!;
            if (!Guid.TryParse(runId, out _)) throw new CliException($"'{runId}' is not a run id (a UUID such as 0193a1c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d)", 2);
            var result = await api.PostAsync<RunCancelAccepted>($"/api/runs/{Uri.EscapeDataString(runId)}/cancel", null, ct);
            Console.WriteLine($"run {runId} is {result.Status}: no new invoices; issued ones finish their PDF, email and ledger (billing run status {runId})");
            return 0;
        });
        return command;
    }

    private static Command Status()
    {
        var id = new Argument<string?>("id") { Description = "Run id (default: the latest run, or the latest of --period)", Arity = ArgumentArity.ZeroOrOne };
        var period = new Option<string?>("--period") { Description = "Show the latest run of this period (yyyy-MM)" };
        var failed = new Option<bool>("--failed") { Description = "List the failed invoice requests with their reasons" };
        var watch = new Option<bool>("--watch") { Description = "Follow the run live until it is complete (re-attaches to a run started elsewhere)" };
        var command = new Command("status", "Counts per stage, invoices/s and ETA of a run");
        command.Arguments.Add(id);
        command.Options.Add(period);
        command.Options.Add(failed);
        command.Options.Add(watch);
        command.SetApiAction(async (parse, api, ct) =>
        {
            if (parse.GetValue(id) is { } given && !Guid.TryParse(given, out _))
                throw new CliException($"'{given}' is not a run id (a UUID such as 0193a1c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d; see billing run list)", 2);
            var runId = parse.GetValue(id) ?? await LatestRunAsync(api, parse.GetValue(period), ct);
            if (parse.GetValue(watch)) return await WatchAsync(api, runId, ct);
            var progress = await api.GetAsync<RunStatusResponse>($"/api/runs/{Uri.EscapeDataString(runId)}{(parse.GetValue(failed) ? "?failed=true" : "")}", ct);
            Print(progress);
            return 0;
        });
        return command;
    }

    private static Command RetryFailed()
    {
        var id = new Argument<string>("id") { Description = "Run id" };
        var command = new Command("retry-failed", "Send the failed invoice requests of a run again (never duplicates an invoice)");
        command.Arguments.Add(id);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var result = await api.PostAsync<RetryAccepted>($"/api/runs/{Uri.EscapeDataString(parse.GetValue(id)!)}/retry-failed", null, ct);
            var stages = result.ByStage.Select(s => $"{s.Key} {s.Value}");
            Console.WriteLine($"retried {result.Retried} failed requests ({string.Join(", ", stages)})");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var period = new Option<string?>("--period") { Description = "Only runs of this period (yyyy-MM)" };
        var limit = new Option<int>("--limit") { Description = "Runs per page (1–1000)", DefaultValueFactory = _ => 100 };
        var offset = new Option<int>("--offset") { Description = "Skip this many of the newest runs" };
        var command = new Command("list", """
            Invoice runs, newest first, a page at a time

            Examples:
              billing run list
              billing run list --period 2026-10
              billing run list --limit 20 --offset 20
            """);
        command.Options.Add(period);
        command.Options.Add(limit);
        command.Options.Add(offset);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var query = $"?limit={parse.GetValue(limit)}&offset={parse.GetValue(offset)}";
            if (parse.GetValue(period) is { } p) query += $"&period={Uri.EscapeDataString(p)}";
            var runs = await api.GetAsync<RunPage>($"/api/runs{query}", ct);
            var table = CommandBase.NewTable("id", "period", "status", "accounts", "started", "completed", "by");
            foreach (var r in runs.Runs)
                table.AddRow(Wire.Text(r.Id), r.Period, r.Status, Wire.Text(r.Accounts), Wire.Text(r.StartedAt),
                    Wire.Text(r.CompletedAt), Markup.Escape(Wire.Text(r.RequestedBy)));
            table.Write(empty: "no runs");
            List<string> next = ["billing", "run", "list"];
            if (parse.GetValue(period) is { } pp) next.AddRange(["--period", pp]);
            next.AddRange(["--limit", parse.GetValue(limit).ToString(CultureInfo.InvariantCulture)]);
            Output.Page("runs", runs.Count, runs.Total, runs.Offset, runs.NextOffset, next);
            return 0;
        });
        return command;
    }

    private static async Task<string> LatestRunAsync(ApiClient api, string? period, CancellationToken ct)
    {
        var query = period is null ? "" : $"?period={Uri.EscapeDataString(period)}";
        var runs = (await api.GetAsync<RunPage>($"/api/runs{query}", ct)).Runs;
        if (runs.Count == 0) throw new CliException(period is null ? "no runs yet" : $"no run for period {period}");
        return runs[0].Id.ToString();
    }

    /// <summary>Live progress until the run is completed or needs attention; exit 0 only when completed.</summary>
    private static async Task<int> WatchAsync(ApiClient api, string id, CancellationToken ct)
    {
        RunStatusResponse? last = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var tasks = StageNames.ToDictionary(s => s, s => ctx.AddTask(s, maxValue: 1));
                var info = ctx.AddTask("waiting for fan-out", maxValue: 1);
                while (!ct.IsCancellationRequested)
                {
                    last = await api.GetAsync<RunStatusResponse>($"/api/runs/{id}", ct);
                    var counts = last.Counts;
                    var accounts = Math.Max(1, counts.Accounts);
                    var invoices = Math.Max(1, counts.Generated);
                    foreach (var (stage, task) in tasks)
                    {
                        task.MaxValue = stage == "generated" ? accounts : invoices;
                        task.Value = stage == "generated" ? counts.Generated + counts.Skipped + counts.Failed : Count(counts, stage);
                        task.Description = $"{stage,-10} {Count(counts, stage),8:N0}";
                    }
                    info.Description = Summary(last);
                    if (last.Run.Status is "completed" or "needs_attention" or "cancelling" or "cancelled")
                    {
                        info.Value = info.MaxValue;
                        break;
                    }
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
            });
        Print(last!);
        var final = last!.Run.Status;
        if (final == "completed") return 0;
        if (final is "cancelling" or "cancelled")
        {
            await Console.Error.WriteLineAsync($"billing: run {id} was cancelled");
            return 1;
        }
        var next = last.Next is { Count: > 0 } n ? string.Join("; ", n) : $"billing run status {id} --failed";
        await Console.Error.WriteLineAsync($"billing: run {id} needs attention — {last.Summary} — next: {next}");
        return 1;
    }

    /// <summary>The count of a stage of <see cref="StageNames"/>.</summary>
    private static int Count(RunCounts counts, string stage) => stage switch
    {
        "generated" => counts.Generated,
        "rendered" => counts.Rendered,
        "emailed" => counts.Emailed,
        "synced" => counts.Synced,
        _ => 0,
    };

    private static string Summary(RunStatusResponse p, bool markup = true)
    {
        var counts = p.Counts;
        var eta = p.EtaSeconds is { } seconds ? TimeSpan.FromSeconds(seconds).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "?";
        var text = $"{p.InvoicesPerSecond:N1} invoices/s, ETA {eta}, skipped {counts.Skipped}, failed {counts.Failed}";
        return markup ? Markup.Escape(text) : text;
    }

    private static void Print(RunStatusResponse p)
    {
        var run = p.Run;
        var counts = p.Counts;
        var summary = p.Summary ?? run.Status;
        Console.WriteLine($"run {run.Id} {run.Period}: {summary}");
        Console.WriteLine(Summary(p, markup: false));
        var table = Output.Table("accounts", "generated", "rendered", "emailed", "synced", "stripe", "skipped", "failed", "not issued");
        table.Add(counts.Accounts.ToString("N0"), counts.Generated.ToString("N0"), counts.Rendered.ToString("N0"),
            counts.Emailed.ToString("N0"), counts.Synced.ToString("N0"), counts.PushedToStripe.ToString("N0"),
            counts.Skipped.ToString("N0"), counts.Failed.ToString("N0"), counts.NotIssued.ToString("N0"));
        table.Write();
        if (p.Totals is { Count: > 0 } totals)
            Console.WriteLine("totals: " + string.Join(", ", totals.Select(t => $"{MoneyDisplay.Text(t.TotalMinor, t.Currency)} over {t.Invoices:N0} invoices")));
        if (p.FailedByStage is { Count: > 0 } byStage)
            Console.WriteLine("failed per stage: " + string.Join(", ", byStage.Select(s => $"{s.Key} {s.Value:N0}")));
        if (p.DeadLetters is { Total: > 0 } dl)
        {
            Console.WriteLine($"dead letters of the run: {dl.Total:N0} ({dl.Pending:N0} waiting, {dl.Superseded:N0} superseded)");
            var dt = Output.Table("queue", "message type", "stage", "messages", "waiting", "superseded");
            foreach (var q in dl.Queues)
                dt.Add(q.Queue, q.MessageType, Wire.Text(q.Stage), q.Messages.ToString("N0"), q.Pending.ToString("N0"), q.Superseded.ToString("N0"));
            dt.Write();
        }
        foreach (var a in p.Attention ?? [])
            Console.WriteLine($"{a.Reason} — next: {a.Command}");
        if (p.Failures is { } failures)
        {
            var ft = Output.Table("stage", "account", "invoice", "reason", "trace");
            foreach (var f in failures)
                ft.Add(f.Stage, Wire.Text(f.AccountId), Wire.Text(f.InvoiceId), f.Reason, Wire.Text(f.TraceId));
            ft.Write();
        }
        if (p.History is { Count: > 0 } history)
        {
            Console.WriteLine("status history:");
            foreach (var h in history)
                Console.WriteLine($"  {Wire.Text(h.At)} {h.From} → {h.To}: {h.Reason}");
        }
    }
}
