using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Globalization;

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
            var result = await api.GetAsync("/api/errors" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
            var table = Output.Table("id", "status", "service", "message type", "type", "count", "invoices", "accounts", "runs",
                "first seen (UTC)", "last seen (UTC)", "message");
            foreach (var e in result.GetProperty("errors").EnumerateArray())
            {
                var a = e.GetProperty("affected_counts");
                table.Add(Cell(e, "id"), Cell(e, "status"), Cell(e, "service"), Cell(e, "message_type"), Cell(e, "error_type"),
                    Cell(e, "occurrence_count"), Cell(a, "invoices"), Cell(a, "accounts"), Cell(a, "runs"),
                    Time(e, "created_at"), Time(e, "last_seen_at"), Output.IsTerminal ? Cut(Cell(e, "message"), 60) : Cell(e, "message"));
            }
            table.Write();
            var next = given.SelectMany(g => new[] { g.Option, g.Value }).ToList();
            if (parse.GetValue(limit) is { } lim) next.AddRange(["--limit", lim.ToString(CultureInfo.InvariantCulture)]);
            Output.Page("errors", result, ["billing", "errors", "list", .. next]);
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
            Print(await api.GetAsync($"/api/errors/{parse.GetValue(id)}", ct), links);
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
            var result = await api.GetAsync($"/api/errors/{errorId}/affected?{string.Join('&', query)}", ct);
            var table = Output.Table(parse.GetValue(kind)!, "count", "first seen (UTC)", "last seen (UTC)");
            foreach (var s in result.GetProperty("items").EnumerateArray())
                table.Add(Cell(s, "id"), Cell(s, "occurrences"), Time(s, "first_seen_at"), Time(s, "last_seen_at"));
            table.Write();
            List<string> next = ["billing", "errors", "affected", errorId.ToString(CultureInfo.InvariantCulture), "--kind", parse.GetValue(kind)!];
            if (parse.GetValue(limit) is { } lim) next.AddRange(["--limit", lim.ToString(CultureInfo.InvariantCulture)]);
            Output.Page($"{parse.GetValue(kind)}s", result, next);
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
                var e = await api.PatchAsync(path, new { status, notes, issue_link = issue }, ct);
                Console.WriteLine($"error {Cell(e, "id")}: {Cell(e, "status")}");
                return 0;
            }
            var result = await BulkAsync(api, chosen, given, new { status, note = text, issue_link = issue }, ct);
            Console.WriteLine($"{Count(result, "changed")} of {Count(result, "matched")} errors → {status}"
                + (Count(result, "unchanged") > 0 ? $" ({Count(result, "unchanged")} already {status})" : "")
                + (Count(result, "changed") > 0 ? $": {Cell(result, "changed")}" : ""));
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
                var e = await api.PatchAsync(path, new { notes }, ct);
                Console.WriteLine($"error {Cell(e, "id")}: notes updated");
                return 0;
            }
            var result = await BulkAsync(api, parse.GetValue(id) is { } single ? [single] : [], given, new { note }, ct);
            Console.WriteLine($"note added to {Count(result, "changed")} errors: {Cell(result, "changed")}");
            return 0;
        });
        return command;
    }

    private static async Task<JsonElement> BulkAsync(ApiClient api, long[] ids, List<(string Query, string Value, string Option)> given,
        object change, CancellationToken ct)
    {
        if (ids.Length == 0 && given.Count == 0)
            throw new CliException("give error ids or a filter (--status, --service, --type, --message-type, --run)", 2);
        var filter = given.ToDictionary(g => g.Query, g => (object)g.Value);
        if (ids.Length > 0) filter["ids"] = ids;
        var body = JsonSerializer.SerializeToElement(change, Json.Options);
        var merged = new Dictionary<string, object?> { ["filter"] = filter };
        foreach (var p in body.EnumerateObject()) merged[p.Name] = p.Value;
        return await api.PostAsync("/api/errors/bulk", merged, ct);
    }

    private static int Count(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.Array ? v.GetArrayLength() : v.GetInt32() : 0;

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
        var current = await api.GetAsync(path, ct);
        var existing = Cell(current, "notes");
        return existing.Length == 0 ? text : existing + "\n" + text;
    }

    private static void Print(JsonElement e, TraceLinks links)
    {
        var grid = Output.Table("field", "value");
        foreach (var name in new[] { "id", "status", "allowed_next", "service", "message_type", "error_type", "code", "stage", "message",
                     "occurrence_count", "invoice_id", "account_id", "run_id", "trace_id", "issue_link", "created_at", "last_seen_at",
                     "resolved_at", "fingerprint" })
            grid.Add(name, Cell(e, name));
        grid.Write(headers: false);
        // A plain line: the grid would wrap a long URL at the console width and break it for copying.
        if (links.For(Cell(e, "trace_id")) is { } link) Console.WriteLine($"trace link {link}");
        var id = Cell(e, "id");
        if (e.TryGetProperty("affected", out var affected) && affected.ValueKind == JsonValueKind.Object)
            foreach (var (plural, kind) in new[] { ("invoices", "invoice"), ("accounts", "account"), ("runs", "run"), ("keys", "key") })
            {
                var a = affected.GetProperty(plural);
                var total = a.GetProperty("total").GetInt32();
                if (total == 0) continue;
                var listed = a.GetProperty("listed");
                Console.WriteLine();
                Console.WriteLine($"{plural} hit: {total}");
                foreach (var s in listed.EnumerateArray())
                    Console.WriteLine($"  {Cell(s, "id")}  ×{Cell(s, "occurrences")}  last {Time(s, "last_seen_at")}");
                if (total > listed.GetArrayLength())
                    Console.WriteLine($"showing {listed.GetArrayLength()} of {total} — next: billing errors affected {id} --kind {kind} --offset {listed.GetArrayLength()}");
            }
        foreach (var block in new[] { "notes", "backtrace", "payload" })
        {
            var value = Cell(e, block);
            if (value.Length == 0) continue;
            Console.WriteLine();
            Console.WriteLine($"{block}:");
            Console.WriteLine(value);
        }
    }

    private static string Cell(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v)) return "";
        return v.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Array => string.Join(", ", v.EnumerateArray().Select(x => x.ToString())),
            _ => v.GetRawText(),
        };
    }

    private static string Time(JsonElement e, string name) =>
        DateTimeOffset.TryParse(Cell(e, name), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var t)
            ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
            : Cell(e, name);

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
