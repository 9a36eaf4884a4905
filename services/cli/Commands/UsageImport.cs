using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Billing.Api.Contracts;
using Spectre.Console;

namespace Billing.Cli.Commands;

/// <summary><c>billing usage import --file usage.csv|usage.json</c>: sends the records in batches with a progress bar.
/// Each batch is all or nothing on the server and every record carries an idempotency key, so an import that
/// stopped half way is simply run again: records already accepted come back as duplicates.</summary>
public static partial class UsageImport
{
    private static readonly string[] Columns = ["account_id", "metric", "quantity", "occurred_at", "idempotency_key"];

    public static Command Usage()
    {
        var file = CatalogueCommands.FileOption(
            "Usage records: CSV with the header account_id,metric,quantity,occurred_at,idempotency_key, or JSON ({\"records\":[…]} or […]); chosen by the .csv/.json extension");
        var batchSize = new Option<int>("--batch-size") { Description = "Records per request, 1–10000", DefaultValueFactory = _ => 1000 };
        batchSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10_000) r.AddError("--batch-size must be from 1 to 10000");
        });
        var import = new Command("import", "Import metered usage; prints how many records were accepted and how many were duplicates of earlier sends")
        {
            file, batchSize,
        };
        import.SetApiAction(async (parse, api, ct) =>
        {
            var path = parse.GetValue(file)!;
            var records = Load(path);
            if (records.Count == 0) throw new CliException($"{path} holds no usage records");
            var size = parse.GetValue(batchSize);
            var batches = (records.Count + size - 1) / size;
            long accepted = 0, duplicates = 0;
            async Task SendAllAsync(Action<int, long, long> progressed)
            {
                for (var b = 0; b < batches; b++)
                {
                    var offset = b * size;
                    var batch = records.Skip(offset).Take(size).ToList();
                    UsageAccepted result;
                    try
                    {
                        result = await api.PostAsync<UsageAccepted>("/api/usage", new RecordsAsGiven(batch.Select(r => r.Body).ToList()), ct);
                    }
                    catch (CliException e)
                    {
                        throw new CliException(
                            $"batch {b + 1} of {batches} (records {offset + 1}–{offset + batch.Count}) was rejected and none of it was written; "
                            + $"{CatalogueCommands.Count(offset)} records before it were sent (accepted {CatalogueCommands.Count(accepted)}, duplicates {CatalogueCommands.Count(duplicates)}); "
                            + $"fix the file and run the import again (accepted records count as duplicates) — {Locate(e.Message, records, offset)}");
                    }
                    long a = result.Accepted;
                    long d = result.Duplicates;
                    accepted += a;
                    duplicates += d;
                    progressed(b, a, d);
                }
            }

            if (AnsiConsole.Profile.Capabilities.Interactive)
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask($"usage from {Markup.Escape(Path.GetFileName(path))}", maxValue: records.Count);
                        await SendAllAsync((b, _, _) => task.Value = Math.Min(records.Count, (b + 1) * size));
                    });
            else
                // No terminal (a pipe, a log): a line per batch instead of a bar that would print only its first frame.
                await SendAllAsync((b, a, d) => Console.WriteLine($"batch {b + 1}/{batches}: accepted {CatalogueCommands.Count(a)}, duplicates {CatalogueCommands.Count(d)}"));
            Console.WriteLine($"accepted {CatalogueCommands.Count(accepted)}, duplicates {CatalogueCommands.Count(duplicates)} ({CatalogueCommands.Count(records.Count)} records in {batches} batches from {path})");
            return 0;
        });
        return new Command("usage", "Record metered usage for accounts") { import };
    }

    /// <summary>A record to send, and where it came from in the file ("line 17", "records[16]").</summary>
    internal sealed record UsageLine(object Body, string Where);

    /// <summary><see cref="RecordUsageRequest"/> with each record as the file gave it (a JSON object, or a CSV line's
    /// fields as text): the API checks them and names a bad one by its index in the batch, which <see cref="Locate"/>
    /// turns back into its place in the file.</summary>
    private sealed record RecordsAsGiven([property: JsonPropertyName("records")] IReadOnlyList<object> Records);

    internal static List<UsageLine> Load(string path)
    {
        if (!File.Exists(path)) throw new CliException($"cannot read {path}: no such file");
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return LoadCsv(path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return LoadJson(path);
        throw new CliException($"{path}: use a .csv or .json file");
    }

    private static List<UsageLine> LoadJson(string path)
    {
        var content = CatalogueCommands.ReadJsonFile(path);
        var array = content.ValueKind == JsonValueKind.Array ? content
            : content.ValueKind == JsonValueKind.Object && content.Deserialize<RecordsInFile>() is { Records.ValueKind: JsonValueKind.Array } file ? file.Records
            : throw new CliException($"{path}: expected {{\"records\":[…]}} or a JSON array of usage records");
        return array.EnumerateArray().Select((e, i) => new UsageLine(e, $"records[{i}]")).ToList();
    }

    private static List<UsageLine> LoadCsv(string path)
    {
        var lines = new List<UsageLine>();
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var header = reader.ReadLine() ?? throw new CliException($"{path} is empty; expected the header {string.Join(',', Columns)}");
        var names = Split(header, path, 1).Select(n => n.Trim()).ToArray();
        foreach (var name in names)
            if (!Columns.Contains(name)) throw new CliException($"{path} line 1: unknown column '{name}'; expected {string.Join(',', Columns)}");
        foreach (var column in Columns)
            if (!names.Contains(column)) throw new CliException($"{path} line 1: missing column '{column}'; expected {string.Join(',', Columns)}");
        var number = 1;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Trim().Length == 0) continue;
            var fields = Split(line, path, number);
            if (fields.Count != names.Length)
                throw new CliException($"{path} line {number}: {fields.Count} fields, but the header has {names.Length}");
            var body = new Dictionary<string, string>();
            for (var i = 0; i < names.Length; i++) body[names[i]] = fields[i];
            lines.Add(new UsageLine(body, $"line {number}"));
        }
        return lines;
    }

    /// <summary>A JSON file's <c>{"records":[…]}</c>.</summary>
    private sealed record RecordsInFile([property: JsonPropertyName("records")] JsonElement Records);

    // RFC 4180 fields on one line: commas, double quotes around a field, "" for a quote inside one.
    private static List<string> Split(string line, string path, int number)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) throw new CliException($"{path} line {number}: a quoted field is not closed");
        fields.Add(field.ToString());
        return fields;
    }

    // The API names records by their index in the batch; the operator needs the place in the file.
    private static string Locate(string message, List<UsageLine> records, int offset) =>
        BatchIndex().Replace(message, m =>
        {
            var i = offset + int.Parse(m.Groups[1].Value);
            if (i >= records.Count) return m.Value;
            var where = records[i].Where;
            return m.Groups[2].Value.Length == 0 ? where : where + (where.StartsWith("line", StringComparison.Ordinal) ? " " : ".");
        });

    [GeneratedRegex(@"records\[(\d+)\](\.?)")]
    private static partial Regex BatchIndex();
}
