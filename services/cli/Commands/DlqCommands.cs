using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Billing.Cli.Commands;

/// <summary><c>billing dlq …</c>: what failed, why, and is it safe to replay; then replay exactly the right messages.</summary>
public static class DlqCommands
{
    public static Command Dlq()
    {
        var dlq = new Command("dlq", "Dead-letter queues: list, group, show, redrive, archive, restore, purge, audit");
        dlq.Subcommands.Add(List());
        dlq.Subcommands.Add(Groups());
        dlq.Subcommands.Add(Show());
        dlq.Subcommands.Add(Redrive());
        dlq.Subcommands.Add(Job());
        dlq.Subcommands.Add(Cancel());
        dlq.Subcommands.Add(Move("archive", "Move matching messages aside to <queue>_archive, untouched"));
        dlq.Subcommands.Add(Move("restore", "Move matching messages from <queue>_archive back into <queue>"));
        dlq.Subcommands.Add(Purge());
        dlq.Subcommands.Add(Audit());
        return dlq;
    }

    private static Command List()
    {
        var command = new Command("list", "Every _error, _skipped, _parked and _archive queue with its message count and oldest message");
        command.SetApiAction(async (_, api, ct) =>
        {
            var result = await api.GetAsync("/api/dlq", ct);
            var table = CommandBase.NewTable("queue", "messages", "oldest", "source");
            foreach (var q in result.GetProperty("queues").EnumerateArray())
                table.AddRow(Markup.Escape(q.GetProperty("queue").GetString() ?? ""), q.GetProperty("messages").GetInt64().ToString(CultureInfo.InvariantCulture),
                    Age(q.GetProperty("oldest_age_seconds")), Markup.Escape(q.GetProperty("source_queue").GetString() ?? ""));
            table.Write();
            return 0;
        });
        return command;
    }

    private static Command Groups()
    {
        var queue = QueueArgument();
        var command = new Command("groups", "Messages of a dead-letter queue grouped by exception, message type and first stack frame");
        command.Arguments.Add(queue);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var result = await api.GetAsync($"/api/dlq/{Uri.EscapeDataString(parse.GetValue(queue)!)}/groups", ct);
            var table = CommandBase.NewTable("group", "count", "exception", "message type", "first frame", "first seen", "last seen", "sample reason");
            foreach (var g in result.GetProperty("groups").EnumerateArray())
                table.AddRow(Text(g, "group_id"), g.GetProperty("count").GetInt32().ToString(CultureInfo.InvariantCulture), Text(g, "exception_type"),
                    Text(g, "message_type"), Text(g, "first_frame"), Text(g, "first_seen"), Text(g, "last_seen"), Text(g, "sample_reason"));
            table.Write();
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var queue = QueueArgument();
        var limit = new Option<int>("--limit") { Description = "How many messages from the head of the queue (1-1000)", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print the messages as JSON" };
        var command = new Command("show", "Peek at dead-lettered messages without consuming them: reason, keys, trace id, redrive count");
        command.Arguments.Add(queue);
        command.Options.Add(limit);
        command.Options.Add(json);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var links = TraceLinks.FromEnvironment();
            var result = await api.GetAsync($"/api/dlq/{Uri.EscapeDataString(parse.GetValue(queue)!)}/messages?limit={parse.GetValue(limit)}", ct);
            var messages = result.GetProperty("messages");
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(messages, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var table = CommandBase.NewTable("message id", "type", "exception", "reason", "retries", "redrives", "keys", "trace id", "failed at");
            foreach (var m in messages.EnumerateArray())
            {
                var keys = string.Join(" ", m.GetProperty("business_keys").EnumerateObject().Select(k => $"{k.Name}={k.Value.GetString()}"));
                table.AddRow(Text(m, "message_id"), Markup.Escape(ShortType(m)), Text(m, "exception_type"), Markup.Escape(Shorten(m.GetProperty("fault_reason").GetString(), 80)),
                    m.GetProperty("retry_count").GetInt32().ToString(CultureInfo.InvariantCulture), m.GetProperty("redrive_count").GetInt32().ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(keys), Text(m, "trace_id"), Text(m, "faulted_at"));
            }
            table.Write();
            foreach (var m in messages.EnumerateArray())
                if (links.For(m.TryGetProperty("trace_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null) is { } link)
                    Console.WriteLine($"trace link {m.GetProperty("message_id").GetString()} {link}");
            // A peek reads from the head: the next page is a longer peek.
            var count = result.TryGetProperty("count", out var c) ? c.GetInt32() : messages.GetArrayLength();
            var total = result.TryGetProperty("total", out var t) ? t.GetInt32() : count;
            Console.WriteLine(total > count
                ? $"showing {count:N0} of {total:N0} messages — next: billing dlq show {Output.Quote(parse.GetValue(queue)!)} --limit {Math.Min(total, 1000).ToString(CultureInfo.InvariantCulture)}"
                : $"showing {count:N0} of {total:N0} messages");
            return 0;
        });
        return command;
    }

    private static Command Redrive()
    {
        var queue = QueueArgument();
        var filter = new FilterOptions();
        var rate = new Option<double?>("--rate") { Description = "Messages per second to the consumer queues (default: unthrottled)" };
        var batch = new Option<int?>("--batch") { Description = "Publisher-confirm window (1-10000)" };
        var limit = new Option<int?>("--limit") { Description = "Stop after this many messages" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show the plan; move nothing" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation (needed when stdin is not a terminal)" };
        var command = new Command("redrive", "Replay matching dead-lettered messages to the queues they failed on: shows the plan, asks, then follows the job");
        command.Arguments.Add(queue);
        filter.AddTo(command);
        foreach (var o in new Option[] { rate, batch, limit, dryRun, yes }) command.Options.Add(o);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var name = parse.GetValue(queue)!;
            var path = $"/api/dlq/{Uri.EscapeDataString(name)}/redrive";
            var body = filter.Body(parse);
            body["rate"] = parse.GetValue(rate);
            body["batch_size"] = parse.GetValue(batch);
            body["limit"] = parse.GetValue(limit);

            var plan = await api.PostAsync(path, new Dictionary<string, object?>(body) { ["dry_run"] = true }, ct);
            PrintPlan(plan);
            if (parse.GetValue(dryRun)) return 0;
            if (plan.GetProperty("moved").GetInt64() + plan.GetProperty("parked").GetInt64() == 0)
            {
                Console.WriteLine("nothing to redrive");
                return 0;
            }
            if (!parse.GetValue(yes))
            {
                if (Console.IsInputRedirected)
                    throw new CliException("refusing to redrive without confirmation: stdin is not a terminal; pass --yes to confirm");
                if (!AnsiConsole.Confirm($"Redrive {plan.GetProperty("moved").GetInt64()} message(s) from {Markup.Escape(name)}?", defaultValue: false))
                {
                    Console.WriteLine("not redriven");
                    return 1;
                }
            }
            var accepted = await api.PostAsync(path, body, ct);
            var jobId = accepted.GetProperty("job_id").GetString()!;
            Console.WriteLine($"job {jobId} queued");
            return await FollowAsync(api, jobId, ct);
        });
        return command;
    }

    private static Command Job()
    {
        var id = new Argument<string>("job") { Description = "Job id printed by billing dlq redrive" };
        var command = new Command("job", "Show a redrive job's state and counts");
        command.Arguments.Add(id);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var job = await api.GetAsync($"/api/dlq/jobs/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct);
            Console.WriteLine(Describe(job));
            return job.GetProperty("state").GetString() is "failed" ? 1 : 0;
        });
        return command;
    }

    private static Command Cancel()
    {
        var id = new Argument<string>("job") { Description = "Job id printed by billing dlq redrive" };
        var command = new Command("cancel", "Cancel a redrive job; it stops after the batch in flight");
        command.Arguments.Add(id);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var job = await api.PostAsync($"/api/dlq/jobs/{Uri.EscapeDataString(parse.GetValue(id)!)}/cancel", null, ct);
            Console.WriteLine($"cancel requested: {Describe(job)}");
            return 0;
        });
        return command;
    }

    private static Command Move(string action, string description)
    {
        var queue = QueueArgument();
        var filter = new FilterOptions();
        var command = new Command(action, description);
        command.Arguments.Add(queue);
        filter.AddTo(command);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var result = await api.PostAsync($"/api/dlq/{Uri.EscapeDataString(parse.GetValue(queue)!)}/{action}", filter.Body(parse), ct);
            Console.WriteLine($"{action}: {result.GetProperty("moved").GetInt64()} moved, {result.GetProperty("skipped").GetInt64()} left, {result.GetProperty("failed").GetInt64()} failed ({result.GetProperty("archive").GetString()})");
            return result.GetProperty("failed").GetInt64() == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Purge()
    {
        var queue = QueueArgument();
        var confirm = new Option<string>("--confirm") { Description = "Repeat the queue name", Required = true };
        var expected = new Option<long>("--expected") { Description = "The number of messages you saw in the queue (billing dlq list)", Required = true };
        var command = new Command("purge", "Delete exactly the messages you saw in a dead-letter queue (refused unless name and count match)");
        command.Arguments.Add(queue);
        command.Options.Add(confirm);
        command.Options.Add(expected);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var result = await api.PostAsync($"/api/dlq/{Uri.EscapeDataString(parse.GetValue(queue)!)}/purge",
                new { confirm_queue = parse.GetValue(confirm), expected_count = parse.GetValue(expected) }, ct);
            Console.WriteLine($"purged {result.GetProperty("purged").GetInt64()} message(s) from {result.GetProperty("queue").GetString()}");
            return 0;
        });
        return command;
    }

    private static Command Audit()
    {
        var queue = new Option<string?>("--queue") { Description = "Only this queue" };
        var limit = new Option<int>("--limit") { Description = "Newest N entries", DefaultValueFactory = _ => 50 };
        var offset = new Option<int>("--offset") { Description = "Skip this many of the newest entries" };
        var command = new Command("audit", """
            Who redrove, archived, restored or purged what, and what moved (newest first)

            Examples:
              billing dlq audit
              billing dlq audit --queue invoice-pdf-rendered_error --limit 20
            """);
        command.Options.Add(queue);
        command.Options.Add(limit);
        command.Options.Add(offset);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var q = parse.GetValue(queue);
            var result = await api.GetAsync($"/api/dlq/audit?limit={parse.GetValue(limit)}&offset={parse.GetValue(offset)}{(q is null ? "" : "&queue=" + Uri.EscapeDataString(q))}", ct);
            var table = CommandBase.NewTable("started", "action", "queue", "by", "dry run", "total", "moved", "skipped", "failed", "parked", "outcome", "filter");
            foreach (var e in result.GetProperty("entries").EnumerateArray())
                table.AddRow(Text(e, "started_at"), Text(e, "action"), Text(e, "queue"), Text(e, "requested_by"),
                    e.GetProperty("dry_run").GetBoolean() ? "yes" : "no", Num(e, "total"), Num(e, "moved"), Num(e, "skipped"),
                    Num(e, "failed"), Num(e, "parked"), Text(e, "outcome"), Markup.Escape(e.GetProperty("filter").GetRawText()));
            table.Write(empty: "no audit entries");
            List<string> next = ["billing", "dlq", "audit"];
            if (q is not null) next.AddRange(["--queue", q]);
            next.AddRange(["--limit", parse.GetValue(limit).ToString(CultureInfo.InvariantCulture)]);
            Output.Page("entries", result, next);
            return 0;
        });
        return command;
    }

    /// <summary>Polls the job with a live bar until it ends; Ctrl+C cancels the job, not just the CLI.</summary>
    private static async Task<int> FollowAsync(ApiClient api, string jobId, CancellationToken ct)
    {
        JsonElement job = default;
        try
        {
            if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
            {
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var bar = ctx.AddTask("queued", maxValue: 1);
                        while (true)
                        {
                            job = await api.GetAsync($"/api/dlq/jobs/{jobId}", ct);
                            var total = Math.Max(1, job.GetProperty("total").GetInt64());
                            bar.MaxValue = total;
                            bar.Value = Math.Min(total, Done(job) + job.GetProperty("skipped").GetInt64());
                            bar.Description = Markup.Escape(Progress(job));
                            if (Finished(job)) { bar.Value = bar.MaxValue; break; }
                            await Task.Delay(500, ct);
                        }
                    });
            }
            else
            {
                var last = "";
                while (true)
                {
                    job = await api.GetAsync($"/api/dlq/jobs/{jobId}", ct);
                    var line = Progress(job);
                    if (line != last) Console.WriteLine(line);
                    last = line;
                    if (Finished(job)) break;
                    await Task.Delay(500, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var cancelled = await api.PostAsync($"/api/dlq/jobs/{jobId}/cancel", null, timeout.Token);
            await Console.Error.WriteLineAsync($"billing: cancel requested for job {jobId} after {cancelled.GetProperty("moved").GetInt64()} moved; it stops after the batch in flight (billing dlq job {jobId})");
            return 130;
        }
        Console.WriteLine(Describe(job));
        return job.GetProperty("state").GetString() == "completed" && job.GetProperty("failed").GetInt64() == 0 ? 0 : 1;
    }

    private static void PrintPlan(JsonElement plan)
    {
        Console.WriteLine($"plan: {Num(plan, "moved")} to redrive, {Num(plan, "parked")} to park (redriven too often), {Num(plan, "skipped")} left (not matching), " +
            $"{Num(plan, "failed")} undeliverable, of {Num(plan, "total")} in {plan.GetProperty("queue").GetString()}" +
            (plan.GetProperty("complete").GetBoolean() ? "" : $" (only the first {Num(plan, "examined")} examined)"));
        var targets = CommandBase.NewTable("to queue", "messages");
        foreach (var t in plan.GetProperty("by_target_queue").EnumerateObject())
            targets.AddRow(Markup.Escape(t.Name), t.Value.GetInt64().ToString(CultureInfo.InvariantCulture));
        targets.Write();
        var groups = CommandBase.NewTable("group", "count", "exception", "message type", "sample reason");
        foreach (var g in plan.GetProperty("groups").EnumerateArray())
            groups.AddRow(Text(g, "group_id"), g.GetProperty("count").GetInt32().ToString(CultureInfo.InvariantCulture), Text(g, "exception_type"), Text(g, "message_type"), Text(g, "sample_reason"));
        groups.Write();
        foreach (var missing in plan.GetProperty("missing_queues").EnumerateArray())
            Console.WriteLine($"warning: queue {missing.GetString()} does not exist; its messages stay dead-lettered");
    }

    private static string ShortType(JsonElement message) =>
        message.GetProperty("message_type").GetString() is { } type ? type[(type.LastIndexOf(':') + 1)..] : "";

    private static string Shorten(string? text, int length) =>
        text is null ? "" : text.Length <= length ? text : text[..(length - 1)] + "…";

    private static bool Finished(JsonElement job) => job.GetProperty("state").GetString() is "completed" or "cancelled" or "failed";

    private static long Done(JsonElement job) => job.GetProperty("moved").GetInt64() + job.GetProperty("parked").GetInt64() + job.GetProperty("failed").GetInt64();

    private static string Progress(JsonElement job)
    {
        var rate = "";
        if (job.TryGetProperty("started_at", out var s) && s.ValueKind == JsonValueKind.String && !Finished(job))
        {
            var seconds = (DateTimeOffset.UtcNow - s.GetDateTimeOffset()).TotalSeconds;
            var perSecond = seconds > 0 ? (job.GetProperty("moved").GetInt64() + job.GetProperty("parked").GetInt64()) / seconds : 0;
            var left = job.GetProperty("total").GetInt64() - Done(job) - job.GetProperty("skipped").GetInt64();
            rate = perSecond > 0 ? $", {perSecond:F0} msg/s, ETA {TimeSpan.FromSeconds(Math.Max(0, left / perSecond)):hh\\:mm\\:ss}" : "";
        }
        return $"{job.GetProperty("state").GetString()}: {Num(job, "moved")} moved, {Num(job, "skipped")} skipped, {Num(job, "failed")} failed, {Num(job, "parked")} parked of {Num(job, "total")}{rate}";
    }

    private static string Describe(JsonElement job) =>
        $"job {job.GetProperty("job_id").GetString()} on {job.GetProperty("queue").GetString()} {Progress(job)}" +
        (job.GetProperty("error").ValueKind == JsonValueKind.String ? $" — error: {job.GetProperty("error").GetString()}" : "");

    private static Argument<string> QueueArgument() =>
        new("queue") { Description = "A dead-letter queue: <queue>_error, _skipped, _parked or _archive" };

    private static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? Markup.Escape(v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.GetRawText()) : "";

    private static string Num(JsonElement e, string name) => e.GetProperty(name).GetInt64().ToString(CultureInfo.InvariantCulture);

    private static string Age(JsonElement seconds) =>
        seconds.ValueKind != JsonValueKind.Number ? "-" : TimeSpan.FromSeconds(seconds.GetDouble()) switch
        {
            var t when t.TotalDays >= 1 => $"{(int)t.TotalDays}d {t.Hours}h",
            var t when t.TotalHours >= 1 => $"{(int)t.TotalHours}h {t.Minutes}m",
            var t when t.TotalMinutes >= 1 => $"{(int)t.TotalMinutes}m {t.Seconds}s",
            var t => $"{t.TotalSeconds:F0}s",
        };

    /// <summary>Piped output (scripts, logs) gets whole ids instead of a table squeezed to 80 columns.</summary>
    /// <summary>The filter options shared by redrive, archive and restore.</summary>
    private sealed class FilterOptions
    {
        private readonly Option<string[]> ids = new("--id") { Description = "A message id (repeat for several)" };
        private readonly Option<string?> group = new("--group") { Description = "A group id from billing dlq groups" };
        private readonly Option<string?> exception = new("--exception") { Description = "Exception type, e.g. System.TimeoutException" };
        private readonly Option<string?> type = new("--type") { Description = "Message type, e.g. GenerateInvoice" };
        private readonly Option<string?> key = new("--key") { Description = "Business key name=value (invoiceId, accountId, runId, period)" };
        private readonly Option<DateTimeOffset?> from = new("--from") { Description = "Failed at or after (ISO 8601)" };
        private readonly Option<DateTimeOffset?> to = new("--to") { Description = "Failed before (ISO 8601)" };
        private readonly Option<bool> all = new("--all") { Description = "Take every message (required when no other filter is given)" };

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { ids, group, exception, type, key, from, to, all }) command.Options.Add(o);
        }

        public Dictionary<string, object?> Body(ParseResult parse) => new()
        {
            ["message_ids"] = parse.GetValue(ids) is { Length: > 0 } list ? list : null,
            ["group_id"] = parse.GetValue(group),
            ["exception_type"] = parse.GetValue(exception),
            ["message_type"] = parse.GetValue(type),
            ["business_key"] = parse.GetValue(key),
            ["from"] = parse.GetValue(from),
            ["to"] = parse.GetValue(to),
            ["all"] = parse.GetValue(all) ? true : null,
        };
    }
}
