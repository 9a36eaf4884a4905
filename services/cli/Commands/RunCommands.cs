using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Billing.Vocabulary;

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
            var started = await api.PostAsync("/api/runs", new { period = parse.GetValue(period) }, ct);
            var id = started.GetProperty("run_id").GetString()!;
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
            var p = await api.PostAsync("/api/runs/preview", new { period = parse.GetValue(period) }, ct);
            if (parse.GetValue(output) == "json")
            {
                Console.WriteLine(JsonSerializer.Serialize(p, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            PrintPreview(p);
            return 0;
        });
        return command;
    }

    private static void PrintPreview(JsonElement p)
    {
        var previous = p.GetProperty("previous");
        Console.WriteLine($"preview of {Text(p, "period")}: {Int(p, "billable_accounts"):N0} billable accounts, {Int(p, "invoices"):N0} invoices would be issued, "
            + $"{Int(p, "already_invoiced"):N0} already invoiced, {Int(p, "skipped"):N0} with nothing to bill ({Text(p, "elapsed_ms")} ms; nothing written)");
        var hasPrevious = previous.GetProperty("run_id").ValueKind == JsonValueKind.String;
        var table = CommandBase.NewTable("currency", "invoices", "total", $"previous ({Text(previous, "period")})", "change");
        foreach (var t in p.GetProperty("totals").EnumerateArray())
        {
            var currency = Text(t, "currency");
            var change = hasPrevious ? Money(t.GetProperty("change_minor").GetInt64(), currency, signed: true) : "";
            if (t.GetProperty("change_percent").ValueKind == JsonValueKind.String) change += $" ({Text(t, "change_percent")}%)";
            table.AddRow(currency, Int(t, "invoices").ToString("N0", CultureInfo.InvariantCulture), Money(t.GetProperty("total_minor").GetInt64(), currency),
                hasPrevious ? Money(t.GetProperty("previous_total_minor").GetInt64(), currency) : "no completed run", change);
        }
        table.Write();
        var failing = p.GetProperty("failing");
        var reasons = failing.GetProperty("by_reason").EnumerateObject().Select(r => $"{r.Name} {r.Value.GetInt32():N0}");
        Console.WriteLine($"accounts that would fail: {Int(failing, "accounts"):N0}" + (Int(failing, "accounts") > 0 ? $" ({string.Join(", ", reasons)})" : ""));
        if (failing.GetProperty("listed").GetArrayLength() == 0) return;
        var ft = CommandBase.NewTable("account", "reason", "detail");
        foreach (var f in failing.GetProperty("listed").EnumerateArray())
            ft.AddRow(Text(f, "account_id"), Text(f, "reason"), Markup.Escape(Text(f, "detail")));
        ft.Write();
        if (failing.GetProperty("truncated").GetBoolean())
            Console.WriteLine($"(first {failing.GetProperty("listed").GetArrayLength()} listed; --output json for the counts by reason)");
    }

    /// <summary>"EUR 14,002.22", "JPY 1,235"; signed: "EUR +10.00".</summary>
    private static string Money(long minor, string currency, bool signed = false)
    {
        if (!Currencies.IsKnown(currency)) return $"{currency} {minor} (minor units)";
        return $"{currency} {(signed && minor > 0 ? "+" : "")}{MoneyText.Amount(minor, currency)}";
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
            var result = await api.PostAsync($"/api/runs/{Uri.EscapeDataString(runId)}/cancel", null, ct);
            Console.WriteLine($"run {runId} is {Text(result, "status")}: no new invoices; issued ones finish their PDF, email and ledger (billing run status {runId})");
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
            var progress = await api.GetAsync($"/api/runs/{Uri.EscapeDataString(runId)}{(parse.GetValue(failed) ? "?failed=true" : "")}", ct);
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
            var result = await api.PostAsync($"/api/runs/{Uri.EscapeDataString(parse.GetValue(id)!)}/retry-failed", null, ct);
            var stages = result.GetProperty("by_stage").EnumerateObject().Select(s => $"{s.Name} {s.Value.GetInt32()}");
            Console.WriteLine($"retried {result.GetProperty("retried").GetInt32()} failed requests ({string.Join(", ", stages)})");
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
            var runs = await api.GetAsync($"/api/runs{query}", ct);
            var table = CommandBase.NewTable("id", "period", "status", "accounts", "started", "completed", "by");
            foreach (var r in runs.GetProperty("runs").EnumerateArray())
                table.AddRow(Text(r, "id"), Text(r, "period"), Text(r, "status"), Text(r, "accounts"), Text(r, "started_at"),
                    Text(r, "completed_at"), Markup.Escape(Text(r, "requested_by")));
            table.Write(empty: "no runs");
            List<string> next = ["billing", "run", "list"];
            if (parse.GetValue(period) is { } pp) next.AddRange(["--period", pp]);
            next.AddRange(["--limit", parse.GetValue(limit).ToString(CultureInfo.InvariantCulture)]);
            Output.Page("runs", runs, next);
            return 0;
        });
        return command;
    }

    private static async Task<string> LatestRunAsync(ApiClient api, string? period, CancellationToken ct)
    {
        var query = period is null ? "" : $"?period={Uri.EscapeDataString(period)}";
        var runs = (await api.GetAsync($"/api/runs{query}", ct)).GetProperty("runs");
        if (runs.GetArrayLength() == 0) throw new CliException(period is null ? "no runs yet" : $"no run for period {period}");
        return runs[0].GetProperty("id").GetString()!;
    }

    /// <summary>Live progress until the run is completed or needs attention; exit 0 only when completed.</summary>
    private static async Task<int> WatchAsync(ApiClient api, string id, CancellationToken ct)
    {
        JsonElement last = default;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var tasks = StageNames.ToDictionary(s => s, s => ctx.AddTask(s, maxValue: 1));
                var info = ctx.AddTask("waiting for fan-out", maxValue: 1);
                while (!ct.IsCancellationRequested)
                {
                    last = await api.GetAsync($"/api/runs/{id}", ct);
                    var counts = last.GetProperty("counts");
                    var accounts = Math.Max(1, Int(counts, "accounts"));
                    var invoices = Math.Max(1, Int(counts, "generated"));
                    foreach (var (stage, task) in tasks)
                    {
                        task.MaxValue = stage == "generated" ? accounts : invoices;
                        task.Value = stage == "generated" ? Int(counts, "generated") + Int(counts, "skipped") + Int(counts, "failed") : Int(counts, stage);
                        task.Description = $"{stage,-10} {Int(counts, stage),8:N0}";
                    }
                    info.Description = Summary(last);
                    var status = last.GetProperty("run").GetProperty("status").GetString();
                    if (status is "completed" or "needs_attention" or "cancelling" or "cancelled")
                    {
                        info.Value = info.MaxValue;
                        break;
                    }
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
            });
        Print(last);
        var final = last.GetProperty("run").GetProperty("status").GetString();
        if (final == "completed") return 0;
        if (final is "cancelling" or "cancelled")
        {
            await Console.Error.WriteLineAsync($"billing: run {id} was cancelled");
            return 1;
        }
        var next = last.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.Array && n.GetArrayLength() > 0
            ? string.Join("; ", n.EnumerateArray().Select(c => c.GetString()))
            : $"billing run status {id} --failed";
        await Console.Error.WriteLineAsync($"billing: run {id} needs attention — {Text(last, "summary")} — next: {next}");
        return 1;
    }

    private static string Summary(JsonElement p, bool markup = true)
    {
        var counts = p.GetProperty("counts");
        var eta = p.GetProperty("eta_seconds").ValueKind == JsonValueKind.Number ? TimeSpan.FromSeconds(p.GetProperty("eta_seconds").GetDouble()).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "?";
        var text = $"{p.GetProperty("invoices_per_second").GetDouble():N1} invoices/s, ETA {eta}, skipped {Int(counts, "skipped")}, failed {Int(counts, "failed")}";
        return markup ? Markup.Escape(text) : text;
    }

    private static void Print(JsonElement p)
    {
        var run = p.GetProperty("run");
        var counts = p.GetProperty("counts");
        var summary = p.TryGetProperty("summary", out var sm) && sm.ValueKind == JsonValueKind.String ? sm.GetString()! : Text(run, "status");
        Console.WriteLine($"run {Text(run, "id")} {Text(run, "period")}: {summary}");
        Console.WriteLine(Summary(p, markup: false));
        var table = Output.Table("accounts", "generated", "rendered", "emailed", "synced", "stripe", "skipped", "failed", "not issued");
        table.Add(Int(counts, "accounts").ToString("N0"), Int(counts, "generated").ToString("N0"), Int(counts, "rendered").ToString("N0"),
            Int(counts, "emailed").ToString("N0"), Int(counts, "synced").ToString("N0"), Int(counts, "pushed_to_stripe").ToString("N0"),
            Int(counts, "skipped").ToString("N0"), Int(counts, "failed").ToString("N0"), Int(counts, "not_issued").ToString("N0"));
        table.Write();
        if (p.TryGetProperty("totals", out var totals) && totals.GetArrayLength() > 0)
            Console.WriteLine("totals: " + string.Join(", ", totals.EnumerateArray().Select(t =>
                $"{Money(t.GetProperty("total_minor").GetInt64(), Text(t, "currency"))} over {Int(t, "invoices"):N0} invoices")));
        if (p.TryGetProperty("failed_by_stage", out var byStage) && byStage.ValueKind == JsonValueKind.Object && byStage.EnumerateObject().Any())
            Console.WriteLine("failed per stage: " + string.Join(", ", byStage.EnumerateObject().Select(s => $"{s.Name} {s.Value.GetInt32():N0}")));
        if (p.TryGetProperty("dead_letters", out var dl) && dl.ValueKind == JsonValueKind.Object && Int(dl, "total") > 0)
        {
            Console.WriteLine($"dead letters of the run: {Int(dl, "total"):N0} ({Int(dl, "pending"):N0} waiting, {Int(dl, "superseded"):N0} superseded)");
            var dt = Output.Table("queue", "message type", "stage", "messages", "waiting", "superseded");
            foreach (var q in dl.GetProperty("queues").EnumerateArray())
                dt.Add(Text(q, "queue"), Text(q, "message_type"), Text(q, "stage"), Int(q, "messages").ToString("N0"), Int(q, "pending").ToString("N0"),
                    Int(q, "superseded").ToString("N0"));
            dt.Write();
        }
        if (p.TryGetProperty("attention", out var attention) && attention.ValueKind == JsonValueKind.Array)
            foreach (var a in attention.EnumerateArray())
                Console.WriteLine($"{Text(a, "reason")} — next: {Text(a, "command")}");
        if (p.TryGetProperty("failures", out var failures) && failures.ValueKind == JsonValueKind.Array)
        {
            var ft = Output.Table("stage", "account", "invoice", "reason", "trace");
            foreach (var f in failures.EnumerateArray())
                ft.Add(Text(f, "stage"), Text(f, "account_id"), Text(f, "invoice_id"), Text(f, "reason"), Text(f, "trace_id"));
            ft.Write();
        }
        if (p.TryGetProperty("history", out var history) && history.ValueKind == JsonValueKind.Array && history.GetArrayLength() > 0)
        {
            Console.WriteLine("status history:");
            foreach (var h in history.EnumerateArray())
                Console.WriteLine($"  {Text(h, "at")} {Text(h, "from")} → {Text(h, "to")}: {Text(h, "reason")}");
        }
    }

    private static int Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;

    internal static string Text(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) ? "" : v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Null => "",
            _ => v.GetRawText(),
        };
}
