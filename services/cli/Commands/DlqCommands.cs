using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Api.Contracts;
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
            var result = await api.GetAsync<DlqQueueList>("/api/dlq", ct);
            var table = CommandBase.NewTable("queue", "messages", "oldest", "source");
            foreach (var q in result.Queues)
                table.AddRow(Esc(q.Queue), q.Messages.ToString(CultureInfo.InvariantCulture), Age(q.OldestAgeSeconds), Esc(q.SourceQueue));
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
            var result = await api.GetAsync<DlqGroupList>($"/api/dlq/{Uri.EscapeDataString(parse.GetValue(queue)!)}/groups", ct);
            var table = CommandBase.NewTable("group", "count", "exception", "message type", "first frame", "first seen", "last seen", "sample reason");
            foreach (var g in result.Groups)
                table.AddRow(Esc(g.GroupId), g.Count.ToString(CultureInfo.InvariantCulture), Esc(g.ExceptionType),
                    Esc(g.MessageType), Esc(g.FirstFrame), Esc(Wire.Text(g.FirstSeen)), Esc(Wire.Text(g.LastSeen)), Esc(g.SampleReason));
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
            var path = $"/api/dlq/{Uri.EscapeDataString(parse.GetValue(queue)!)}/messages?limit={parse.GetValue(limit)}";
            var answer = await api.GetAsync(path, ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(ApiClient.Read<MessagesAsSent>(answer, path).Messages, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var result = ApiClient.Read<DlqMessageList>(answer, path);
            var table = CommandBase.NewTable("message id", "type", "exception", "reason", "retries", "redrives", "keys", "trace id", "failed at");
            foreach (var m in result.Messages)
            {
                var keys = string.Join(" ", m.BusinessKeys.Select(k => $"{k.Key}={k.Value}"));
                table.AddRow(Esc(m.MessageId), Markup.Escape(ShortType(m)), Esc(m.ExceptionType), Markup.Escape(Shorten(m.FaultReason, 80)),
                    m.RetryCount.ToString(CultureInfo.InvariantCulture), m.RedriveCount.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(keys), Esc(m.TraceId), Esc(Wire.Text(m.FaultedAt)));
            }
            table.Write();
            foreach (var m in result.Messages)
                if (links.For(m.TraceId) is { } link)
                    Console.WriteLine($"trace link {m.MessageId} {link}");
            // A peek reads from the head: the next page is a longer peek.
            var count = result.Count;
            var total = result.Total;
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
            var body = filter.Request(parse) with { Rate = parse.GetValue(rate), BatchSize = parse.GetValue(batch), Limit = parse.GetValue(limit) };

            var plan = await api.PostAsync<RedrivePlanResponse>(path, body with { DryRun = true }, ct);
            PrintPlan(plan);
            if (parse.GetValue(dryRun)) return 0;
            if (plan.Moved + plan.Parked == 0)
            {
                Console.WriteLine("nothing to redrive");
                return 0;
            }
            if (!parse.GetValue(yes))
            {
                if (Console.IsInputRedirected)
                    throw new CliException("refusing to redrive without confirmation: stdin is not a terminal; pass --yes to confirm");
                if (!AnsiConsole.Confirm($"Redrive {plan.Moved} message(s) from {Markup.Escape(name)}?", defaultValue: false))
                {
                    Console.WriteLine("not redriven");
                    return 1;
                }
            }
            var accepted = await api.PostAsync<RedriveQueued>(path, body, ct);
            var jobId = accepted.JobId.ToString();
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
            var job = await api.GetAsync<RedriveJobResponse>($"/api/dlq/jobs/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct);
            Console.WriteLine(Describe(job));
            return job.State is "failed" ? 1 : 0;
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
            var job = await api.PostAsync<RedriveJobResponse>($"/api/dlq/jobs/{Uri.EscapeDataString(parse.GetValue(id)!)}/cancel", null, ct);
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
            var result = await api.PostAsync<DlqMoveResponse>($"/api/dlq/{Uri.EscapeDataString(parse.GetValue(queue)!)}/{action}", filter.Request(parse), ct);
            Console.WriteLine($"{action}: {result.Moved} moved, {result.Skipped} left, {result.Failed} failed ({result.Archive})");
            return result.Failed == 0 ? 0 : 1;
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
            var result = await api.PostAsync<PurgeResponse>($"/api/dlq/{Uri.EscapeDataString(parse.GetValue(queue)!)}/purge",
                new PurgeRequest(parse.GetValue(confirm), parse.GetValue(expected)), ct);
            Console.WriteLine($"purged {result.Purged} message(s) from {result.Queue}");
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
            var result = await api.GetAsync<DlqAuditPage>($"/api/dlq/audit?limit={parse.GetValue(limit)}&offset={parse.GetValue(offset)}{(q is null ? "" : "&queue=" + Uri.EscapeDataString(q))}", ct);
            var table = CommandBase.NewTable("started", "action", "queue", "by", "dry run", "total", "moved", "skipped", "failed", "parked", "outcome", "filter");
            foreach (var e in result.Entries)
                table.AddRow(Esc(Wire.Text(e.StartedAt)), Esc(e.Action), Esc(e.Queue), Esc(e.RequestedBy),
                    e.DryRun ? "yes" : "no", Num(e.Total), Num(e.Moved), Num(e.Skipped),
                    Num(e.Failed), Num(e.Parked), Esc(e.Outcome), Markup.Escape(Wire.Json(e.Filter)));
            table.Write(empty: "no audit entries");
            List<string> next = ["billing", "dlq", "audit"];
            if (q is not null) next.AddRange(["--queue", q]);
            next.AddRange(["--limit", parse.GetValue(limit).ToString(CultureInfo.InvariantCulture)]);
            Output.Page("entries", result.Count, result.Total, result.Offset, result.NextOffset, next);
            return 0;
        });
        return command;
    }

    /// <summary>Polls the job with a live bar until it ends; Ctrl+C cancels the job, not just the CLI.</summary>
    private static async Task<int> FollowAsync(ApiClient api, string jobId, CancellationToken ct)
    {
        RedriveJobResponse? job = null;
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
                            job = await api.GetAsync<RedriveJobResponse>($"/api/dlq/jobs/{jobId}", ct);
                            var total = Math.Max(1, job.Total);
                            bar.MaxValue = total;
                            bar.Value = Math.Min(total, Done(job) + job.Skipped);
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
                    job = await api.GetAsync<RedriveJobResponse>($"/api/dlq/jobs/{jobId}", ct);
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
            var cancelled = await api.PostAsync<RedriveJobResponse>($"/api/dlq/jobs/{jobId}/cancel", null, timeout.Token);
            await Console.Error.WriteLineAsync($"billing: cancel requested for job {jobId} after {cancelled.Moved} moved; it stops after the batch in flight (billing dlq job {jobId})");
            return 130;
        }
        Console.WriteLine(Describe(job!));
        return job!.State == "completed" && job.Failed == 0 ? 0 : 1;
    }

    private static void PrintPlan(RedrivePlanResponse plan)
    {
        Console.WriteLine($"plan: {Num(plan.Moved)} to redrive, {Num(plan.Parked)} to park (redriven too often), {Num(plan.Skipped)} left (not matching), " +
            $"{Num(plan.Failed)} undeliverable, of {Num(plan.Total)} in {plan.Queue}" +
            (plan.Complete ? "" : $" (only the first {Num(plan.Examined)} examined)"));
        var targets = CommandBase.NewTable("to queue", "messages");
        foreach (var t in plan.ByTargetQueue)
            targets.AddRow(Markup.Escape(t.Key), t.Value.ToString(CultureInfo.InvariantCulture));
        targets.Write();
        var groups = CommandBase.NewTable("group", "count", "exception", "message type", "sample reason");
        foreach (var g in plan.Groups)
            groups.AddRow(Esc(g.GroupId), g.Count.ToString(CultureInfo.InvariantCulture), Esc(g.ExceptionType), Esc(g.MessageType), Esc(g.SampleReason));
        groups.Write();
        foreach (var missing in plan.MissingQueues)
            Console.WriteLine($"warning: queue {missing} does not exist; its messages stay dead-lettered");
    }

    private static string ShortType(DlqMessage message) =>
        message.MessageType is { } type ? type[(type.LastIndexOf(':') + 1)..] : "";

    private static string Shorten(string? text, int length) =>
        text is null ? "" : text.Length <= length ? text : text[..(length - 1)] + "…";

    private static bool Finished(RedriveJobResponse job) => job.State is "completed" or "cancelled" or "failed";

    private static long Done(RedriveJobResponse job) => job.Moved + job.Parked + job.Failed;

    private static string Progress(RedriveJobResponse job)
    {
        var rate = "";
        if (job.StartedAt is { } started && !Finished(job))
        {
            var seconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
            var perSecond = seconds > 0 ? (job.Moved + job.Parked) / seconds : 0;
            var left = job.Total - Done(job) - job.Skipped;
            rate = perSecond > 0 ? $", {perSecond:F0} msg/s, ETA {TimeSpan.FromSeconds(Math.Max(0, left / perSecond)):hh\\:mm\\:ss}" : "";
        }
        return $"{job.State}: {Num(job.Moved)} moved, {Num(job.Skipped)} skipped, {Num(job.Failed)} failed, {Num(job.Parked)} parked of {Num(job.Total)}{rate}";
    }

    private static string Describe(RedriveJobResponse job) =>
        $"job {job.JobId} on {job.Queue} {Progress(job)}" + (job.Error is { } error ? $" — error: {error}" : "");

    private static Argument<string> QueueArgument() =>
        new("queue") { Description = "A dead-letter queue: <queue>_error, _skipped, _parked or _archive" };

    /// <summary>A text of an answer as a markup cell.</summary>
    private static string Esc(string? text) => Markup.Escape(text ?? "");

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Age(double? seconds) =>
        seconds is not { } s ? "-" : TimeSpan.FromSeconds(s) switch
        {
            var t when t.TotalDays >= 1 => $"{(int)t.TotalDays}d {t.Hours}h",
            var t when t.TotalHours >= 1 => $"{(int)t.TotalHours}h {t.Minutes}m",
            var t when t.TotalMinutes >= 1 => $"{(int)t.TotalMinutes}m {t.Seconds}s",
            var t => $"{t.TotalSeconds:F0}s",
        };

    /// <summary>A peek whose messages stay the JSON they came in, for <c>--json</c>.</summary>
    private sealed record MessagesAsSent(JsonElement Messages);

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

        /// <summary>The messages the options name; a redrive adds its pace.</summary>
        public DlqFilterRequest Request(ParseResult parse) => new()
        {
            MessageIds = parse.GetValue(ids) is { Length: > 0 } list ? list : null,
            GroupId = parse.GetValue(group),
            ExceptionType = parse.GetValue(exception),
            MessageType = parse.GetValue(type),
            BusinessKey = parse.GetValue(key),
            From = parse.GetValue(from),
            To = parse.GetValue(to),
            All = parse.GetValue(all) ? true : null,
        };
    }
}
