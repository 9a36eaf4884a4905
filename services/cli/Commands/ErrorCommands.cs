using System.CommandLine;
using System.Text;
using System.Globalization;
using Billing.Api.Contracts;

namespace Billing.Cli.Commands;

/// <summary><c>billing errors …</c>: the revenue-impacting error log through the admin API.</summary>
public static class ErrorCommands
{
    public static Command Errors()
    {
        var errors = new Command("errors", """
            The revenue-impacting error log, one group per cause: list, show (with the invoices, accounts and runs it hit),
            acknowledge, start, resolve and note one group or every group of a filter at once, summaries.

            Examples:
              billing errors list --status open
              billing errors show 12
              billing errors affected 12 --kind invoice --offset 100
              billing errors resolve 12 --note "template restored"
              billing errors resolve --service mailer --status open --note "SMTP relay back; redriven"
            """);
        errors.Subcommands.Add(List());
        errors.Subcommands.Add(Show());
        errors.Subcommands.Add(Affected());
        errors.Subcommands.Add(Move("ack", "needs_attention", "Acknowledge open errors: they need attention"));
        errors.Subcommands.Add(Move("start", "in_progress", "Say someone is working on errors"));
        errors.Subcommands.Add(Move("resolve", "resolved", "Mark errors resolved (from open or in_progress)", withNoteAndLink: true));
        errors.Subcommands.Add(Note());
        errors.Subcommands.Add(Summary());
        return errors;
    }

    /// <summary>The filter options shared by list and the bulk changes.</summary>
    private sealed class FilterOptions
    {
        public Option<string?> Status { get; } = new("--status") { Description = "open, needs_attention, in_progress or resolved" };
        public Option<string?> Service { get; } = new("--service") { Description = "Only errors of this service, e.g. mailer" };
        public Option<string?> Type { get; } = new("--type") { Description = "Only this error (exception) type, e.g. SmtpCommandException" };
        public Option<string?> MessageType { get; } = new("--message-type") { Description = "Only faults of this message type, e.g. InvoicePdfRendered" };
        public Option<string?> Run { get; } = new("--run") { Description = "Only errors that hit this invoice run (id)" };

        public void AddTo(Command command)
        {
            foreach (var o in new[] { Status, Service, Type, MessageType, Run }) command.Options.Add(o);
        }

        /// <summary>(query name, value, option name) of the options given.</summary>
        public List<(string Query, string Value, string Option)> Given(ParseResult parse) =>
            new[] { ("status", parse.GetValue(Status), "--status"), ("service", parse.GetValue(Service), "--service"),
                    ("type", parse.GetValue(Type), "--type"), ("message_type", parse.GetValue(MessageType), "--message-type"),
                    ("run_id", parse.GetValue(Run), "--run") }
                .Where(g => !string.IsNullOrEmpty(g.Item2)).Select(g => (g.Item1, g.Item2!, g.Item3)).ToList();
    }

    private static Command List()
    {
        var filter = new FilterOptions();
        var limit = new Option<int?>("--limit") { Description = "At most this many (default 100, at most 1000)" };
        var offset = new Option<int?>("--offset") { Description = "Skip this many (the next page starts where the last one ended)" };
        var command = new Command("list", """
            List error groups, most recently seen first: one row per cause with its count and what it hit.

            Examples:
              billing errors list --status open
              billing errors list --service mailer --offset 100
            """);
        filter.AddTo(command);
        command.Options.Add(limit);
        command.Options.Add(offset);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var given = filter.Given(parse);
            var query = given.Select(g => $"{g.Query}={Uri.EscapeDataString(g.Value)}").ToList();
            if (parse.GetValue(limit) is { } l) query.Add($"limit={l.ToString(CultureInfo.InvariantCulture)}");
            if (parse.GetValue(offset) is { } o) query.Add($"offset={o.ToString(CultureInfo.InvariantCulture)}");
            var result = await api.GetAsync<ErrorPage>("/api/errors" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
            var table = Output.Table("id", "status", "service", "message type", "type", "count", "invoices", "accounts", "runs",
                "first seen (UTC)", "last seen (UTC)", "message");
            foreach (var e in result.Errors)
            {
                var a = e.AffectedCounts;
                table.Add(Wire.Text(e.Id), e.Status, e.Service, e.MessageType, e.ErrorType,
                    Wire.Text(e.OccurrenceCount), Wire.Text(a.Invoices), Wire.Text(a.Accounts), Wire.Text(a.Runs),
                    Time(e.CreatedAt), Time(e.LastSeenAt), Output.IsTerminal ? Cut(e.Message, 60) : e.Message);
            }
            table.Write();
            var next = given.SelectMany(g => new[] { g.Option, g.Value }).ToList();
            if (parse.GetValue(limit) is { } lim) next.AddRange(["--limit", lim.ToString(CultureInfo.InvariantCulture)]);
            Output.Page("errors", result.Count, result.Total, result.Offset, result.NextOffset, ["billing", "errors", "list", .. next]);
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var id = IdArgument();
        var command = new Command("show", $"Show one error group with its notes, link, backtrace, payload and the invoices, accounts and runs it hit (and a trace link when {TraceLinks.Setting} is set)") { id };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var links = TraceLinks.FromEnvironment();
            Print(await api.GetAsync<ErrorDetail>($"/api/errors/{parse.GetValue(id)}", ct), links);
            return 0;
        });
        return command;
    }

    private static Command Affected()
    {
        var id = IdArgument();
        var kind = new Option<string>("--kind") { Description = "invoice, account, run or key", DefaultValueFactory = _ => "invoice" };
        kind.AcceptOnlyFromAmong("invoice", "account", "run", "key");
        var limit = new Option<int?>("--limit") { Description = "At most this many (default 100, at most 1000)" };
        var offset = new Option<int?>("--offset") { Description = "Skip this many" };
        var command = new Command("affected", """
            The invoices, accounts, runs or business keys an error group hit, each with its count, first hit first.

            Examples:
              billing errors affected 12
              billing errors affected 12 --kind run
            """) { id, kind, limit, offset };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var errorId = parse.GetValue(id);
            var query = new List<string> { $"kind={parse.GetValue(kind)}" };
            if (parse.GetValue(limit) is { } l) query.Add($"limit={l.ToString(CultureInfo.InvariantCulture)}");
            if (parse.GetValue(offset) is { } o) query.Add($"offset={o.ToString(CultureInfo.InvariantCulture)}");
            var result = await api.GetAsync<AffectedPage>($"/api/errors/{errorId}/affected?{string.Join('&', query)}", ct);
            var table = Output.Table(parse.GetValue(kind)!, "count", "first seen (UTC)", "last seen (UTC)");
            foreach (var s in result.Items)
                table.Add(s.Id, Wire.Text(s.Occurrences), Time(s.FirstSeenAt), Time(s.LastSeenAt));
            table.Write();
            List<string> next = ["billing", "errors", "affected", errorId.ToString(CultureInfo.InvariantCulture), "--kind", parse.GetValue(kind)!];
            if (parse.GetValue(limit) is { } lim) next.AddRange(["--limit", lim.ToString(CultureInfo.InvariantCulture)]);
            Output.Page($"{parse.GetValue(kind)}s", result.Count, result.Total, result.Offset, result.NextOffset, next);
            return 0;
        });
        return command;
    }

    /// <summary>A status change for the ids given, or for every group of a filter (all or nothing).</summary>
    private static Command Move(string name, string status, string description, bool withNoteAndLink = false)
    {
        var ids = new Argument<long[]>("id") { Description = "Error ids (see billing errors list); or give a filter", Arity = ArgumentArity.ZeroOrMore };
        var filter = new FilterOptions();
        var note = new Option<string?>("--note") { Description = "A note to add to each (appended to its notes)" };
        var link = new Option<string?>("--link") { Description = "The tracking issue (http or https URL)" };
        var example = withNoteAndLink ? " --note 'relay fixed'" : "";
        var command = new Command(name, $"""
            {description} (→ {status}). One group by id, several ids, or every group a filter matches: either every one
            of them may take the change and all change, or none does and the refusal names the groups that may not.

            Examples:
              billing errors {name} 12
              billing errors {name} --service mailer --status open{example}
            """) { ids };
        filter.AddTo(command);
        if (withNoteAndLink)
        {
            command.Options.Add(note);
            command.Options.Add(link);
        }
        else command.Options.Add(note);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var chosen = parse.GetValue(ids) ?? [];
            var given = filter.Given(parse);
            var text = parse.GetValue(note) is { Length: > 0 } n ? n : null;
            var issue = withNoteAndLink ? parse.GetValue(link) : null;
            if (chosen.Length == 1 && given.Count == 0)
            {
                // One group: PATCH, with the note appended to the group's notes as they are.
                var path = $"/api/errors/{chosen[0]}";
                var notes = text is null ? null : await AppendedNotesAsync(api, path, text, ct);
                var e = await api.PatchAsync<ErrorDetail>(path, new ErrorPatchRequest(status, notes, issue), ct);
                Console.WriteLine($"error {e.Id}: {e.Status}");
                return 0;
            }
            var result = await BulkAsync(api, chosen, given, matching => new ErrorBulkRequest(matching, status, text, issue), ct);
            Console.WriteLine($"{result.Changed.Count} of {result.Matched} errors → {status}"
                + (result.Unchanged.Count > 0 ? $" ({result.Unchanged.Count} already {status})" : "")
                + (result.Changed.Count > 0 ? $": {string.Join(", ", result.Changed)}" : ""));
            return 0;
        });
        return command;
    }

    private static Command Note()
    {
        var id = new Argument<long?>("id") { Description = "The error's id (see billing errors list); or give a filter and --text", Arity = ArgumentArity.ZeroOrOne };
        var text = new Argument<string?>("text") { Description = "The note to add", Arity = ArgumentArity.ZeroOrOne };
        var textOption = new Option<string?>("--text") { Description = "The note to add to every group of the filter" };
        var filter = new FilterOptions();
        var command = new Command("note", """
            Add a note to an error group, or to every group a filter matches (appended to their notes).

            Examples:
              billing errors note 12 "asked the customer to free space"
              billing errors note --service mailer --status open --text "relay provider ticket 4711"
            """) { id, text, textOption };
        filter.AddTo(command);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var given = filter.Given(parse);
            var note = parse.GetValue(text) ?? parse.GetValue(textOption);
            if (string.IsNullOrWhiteSpace(note)) throw new CliException("give the note: billing errors note <id> <text>, or --text with a filter", 2);
            if (parse.GetValue(id) is { } one && given.Count == 0)
            {
                var path = $"/api/errors/{one}";
                var notes = await AppendedNotesAsync(api, path, note, ct);
                var e = await api.PatchAsync<ErrorDetail>(path, new ErrorPatchRequest(null, notes, null), ct);
                Console.WriteLine($"error {e.Id}: notes updated");
                return 0;
            }
            var result = await BulkAsync(api, parse.GetValue(id) is { } single ? [single] : [], given, matching => new ErrorBulkRequest(matching, null, note, null), ct);
            Console.WriteLine($"note added to {result.Changed.Count} errors: {string.Join(", ", result.Changed)}");
            return 0;
        });
        return command;
    }

    /// <summary>POST /api/errors/bulk: the ids and filter options given, and the change for every group they match.</summary>
    private static async Task<ErrorBulkResponse> BulkAsync(ApiClient api, long[] ids, List<(string Query, string Value, string Option)> given,
        Func<ErrorBulkFilter, ErrorBulkRequest> change, CancellationToken ct)
    {
        if (ids.Length == 0 && given.Count == 0)
            throw new CliException("give error ids or a filter (--status, --service, --type, --message-type, --run)", 2);
        string? Given(string query) => given.Where(g => g.Query == query).Select(g => g.Value).FirstOrDefault();
        var filter = new ErrorBulkFilter(ids.Length > 0 ? ids : null, Given("status"), Given("service"), Given("type"), Given("message_type"), Given("run_id"));
        return await api.PostAsync<ErrorBulkResponse>("/api/errors/bulk", change(filter), ct);
    }

    private static Command Summary()
    {
        var daily = new Option<bool>("--daily") { Description = "The last 24 hours" };
        var weekly = new Option<bool>("--weekly") { Description = "The last 7 days" };
        var at = new Option<string?>("--at") { Description = "End of the summary (ISO 8601, UTC); default now" };
        var command = new Command("summary", "Print the daily or weekly summary as Markdown, ready for the tracking issue") { daily, weekly, at };
        command.Validators.Add(r =>
        {
            if (r.GetValue(daily) == r.GetValue(weekly)) r.AddError("give exactly one of --daily or --weekly");
        });
        command.SetApiAction(async (parse, api, ct) =>
        {
            var kind = parse.GetValue(daily) ? "daily" : "weekly";
            var path = $"/api/errors/summary?kind={kind}";
            if (parse.GetValue(at) is { Length: > 0 } when) path += "&at=" + Uri.EscapeDataString(when);
            Console.Write(Encoding.UTF8.GetString(await api.GetBytesAsync(path, ct)));
            return 0;
        });
        return command;
    }

    private static Argument<long> IdArgument() => new("id") { Description = "The error's id (see billing errors list)" };

    // A note is a line in the error's log, so earlier notes stay readable.
    private static async Task<string> AppendedNotesAsync(ApiClient api, string path, string text, CancellationToken ct)
    {
        var current = await api.GetAsync<ErrorDetail>(path, ct);
        var existing = Wire.Text(current.Notes);
        return existing.Length == 0 ? text : existing + "\n" + text;
    }

    private static void Print(ErrorDetail e, TraceLinks links)
    {
        var grid = Output.Table("field", "value");
        foreach (var (name, value) in new[]
                 {
                     ("id", Wire.Text(e.Id)), ("status", e.Status), ("allowed_next", string.Join(", ", e.AllowedNext ?? [])),
                     ("service", e.Service), ("message_type", e.MessageType), ("error_type", e.ErrorType), ("code", e.Code),
                     ("stage", Wire.Text(e.Stage)), ("message", e.Message), ("occurrence_count", Wire.Text(e.OccurrenceCount)),
                     ("invoice_id", Wire.Text(e.InvoiceId)), ("account_id", Wire.Text(e.AccountId)), ("run_id", Wire.Text(e.RunId)),
                     ("trace_id", Wire.Text(e.TraceId)), ("issue_link", Wire.Text(e.IssueLink)), ("created_at", Wire.Text(e.CreatedAt)),
                     ("last_seen_at", Wire.Text(e.LastSeenAt)), ("resolved_at", Wire.Text(e.ResolvedAt)), ("fingerprint", e.Fingerprint),
                 })
            grid.Add(name, value);
        grid.Write(headers: false);
        // A plain line: the grid would wrap a long URL at the console width and break it for copying.
        if (links.For(e.TraceId) is { } link) Console.WriteLine($"trace link {link}");
        var id = Wire.Text(e.Id);
        if (e.Affected is { } affected)
            foreach (var (plural, kind, a) in new[]
                     {
                         ("invoices", "invoice", affected.Invoices), ("accounts", "account", affected.Accounts), ("runs", "run", affected.Runs),
                         ("keys", "key", affected.Keys),
                     })
            {
                if (a.Total == 0) continue;
                Console.WriteLine();
                Console.WriteLine($"{plural} hit: {a.Total}");
                foreach (var s in a.Listed)
                    Console.WriteLine($"  {s.Id}  ×{s.Occurrences}  last {Time(s.LastSeenAt)}");
                if (a.Total > a.Listed.Count)
                    Console.WriteLine($"showing {a.Listed.Count} of {a.Total} — next: billing errors affected {id} --kind {kind} --offset {a.Listed.Count}");
            }
        foreach (var (block, value) in new[] { ("notes", Wire.Text(e.Notes)), ("backtrace", Wire.Text(e.Backtrace)), ("payload", Wire.Text(e.Payload)) })
        {
            if (value.Length == 0) continue;
            Console.WriteLine();
            Console.WriteLine($"{block}:");
            Console.WriteLine(value);
        }
    }

    /// <summary>A time in UTC to the second: 2026-10-31 08:00:00.</summary>
    private static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
