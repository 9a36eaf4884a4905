using System.CommandLine;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Billing.Cli.Commands;

/// <summary><c>billing errors …</c>: the revenue-impacting error log through the admin API.</summary>
public static class ErrorCommands
{
    public static Command Errors()
    {
        var errors = new Command("errors", "The revenue-impacting error log: list, show, acknowledge, resolve, summaries");
        errors.Subcommands.Add(List());
        errors.Subcommands.Add(Show());
        errors.Subcommands.Add(Move("ack", "needs_attention", "Acknowledge an open error: it needs attention"));
        errors.Subcommands.Add(Move("start", "in_progress", "Say someone is working on an error"));
        errors.Subcommands.Add(Resolve());
        errors.Subcommands.Add(Note());
        errors.Subcommands.Add(Summary());
        return errors;
    }

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "open, needs_attention, in_progress or resolved" };
        var run = new Option<string?>("--run") { Description = "Only errors of this invoice run (id)" };
        var type = new Option<string?>("--type") { Description = "Only this error type, e.g. stalled_run" };
        var limit = new Option<int?>("--limit") { Description = "At most this many (default 100)" };
        var command = new Command("list", "List errors, most recently seen first") { status, run, type, limit };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var query = new List<string>();
            void Add(string name, string? value)
            {
                if (!string.IsNullOrEmpty(value)) query.Add($"{name}={Uri.EscapeDataString(value)}");
            }
            Add("status", parse.GetValue(status));
            Add("run_id", parse.GetValue(run));
            Add("type", parse.GetValue(type));
            Add("limit", parse.GetValue(limit)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var result = await api.GetAsync("/api/errors" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
            var table = CommandBase.NewTable("id", "status", "service", "type", "code", "count", "last seen (UTC)", "message");
            foreach (var e in result.GetProperty("errors").EnumerateArray())
                table.AddRow(new[] { Cell(e, "id"), Cell(e, "status"), Cell(e, "service"), Cell(e, "error_type"), Cell(e, "code"),
                    Cell(e, "occurrence_count"), Time(e, "last_seen_at"), Cut(Cell(e, "message"), 60) }.Select(c => new Text(c)));
            AnsiConsole.Write(table);
            Console.WriteLine($"{result.GetProperty("count").GetInt32()} errors");
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var id = IdArgument();
        var command = new Command("show", $"Show one error with its notes, link, backtrace and payload (and a trace link when {TraceLinks.Setting} is set)") { id };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var links = TraceLinks.FromEnvironment();
            Print(await api.GetAsync($"/api/errors/{parse.GetValue(id)}", ct), links);
            return 0;
        });
        return command;
    }

    private static Command Move(string name, string status, string description)
    {
        var id = IdArgument();
        var command = new Command(name, $"{description} (→ {status})") { id };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var e = await api.PatchAsync($"/api/errors/{parse.GetValue(id)}", new { status }, ct);
            Console.WriteLine($"error {Cell(e, "id")}: {Cell(e, "status")}");
            return 0;
        });
        return command;
    }

    private static Command Resolve()
    {
        var id = IdArgument();
        var note = new Option<string?>("--note") { Description = "What fixed it (appended to the notes)" };
        var link = new Option<string?>("--link") { Description = "The tracking issue (http or https URL)" };
        var command = new Command("resolve", "Mark an error resolved (from open or in_progress)") { id, note, link };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var path = $"/api/errors/{parse.GetValue(id)}";
            var notes = parse.GetValue(note) is { Length: > 0 } text ? await AppendedNotesAsync(api, path, text, ct) : null;
            var e = await api.PatchAsync(path, new { status = "resolved", notes, issue_link = parse.GetValue(link) }, ct);
            Console.WriteLine($"error {Cell(e, "id")}: {Cell(e, "status")}");
            return 0;
        });
        return command;
    }

    private static Command Note()
    {
        var id = IdArgument();
        var text = new Argument<string>("text") { Description = "The note to add" };
        var command = new Command("note", "Add a note to an error (appended to its notes)") { id, text };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var path = $"/api/errors/{parse.GetValue(id)}";
            var notes = await AppendedNotesAsync(api, path, parse.GetValue(text) ?? "", ct);
            var e = await api.PatchAsync(path, new { notes }, ct);
            Console.WriteLine($"error {Cell(e, "id")}: notes updated");
            return 0;
        });
        return command;
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
        var current = await api.GetAsync(path, ct);
        var existing = Cell(current, "notes");
        return existing.Length == 0 ? text : existing + "\n" + text;
    }

    private static void Print(JsonElement e, TraceLinks links)
    {
        var grid = new Grid().AddColumn().AddColumn();
        foreach (var name in new[] { "id", "status", "allowed_next", "service", "error_type", "code", "message", "occurrence_count",
                     "invoice_id", "account_id", "run_id", "trace_id", "issue_link", "created_at", "last_seen_at", "resolved_at", "fingerprint" })
            grid.AddRow(new Text(name), new Text(Cell(e, name)));
        AnsiConsole.Write(grid);
        // A plain line: the grid would wrap a long URL at the console width and break it for copying.
        if (links.For(Cell(e, "trace_id")) is { } link) Console.WriteLine($"trace link {link}");
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
