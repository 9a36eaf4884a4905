using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Billing.Cli.Commands;

public static class CommandBase
{
    private static readonly HashSet<Command> ApiCommands = [];

    /// <summary>
    /// Runs a command body; a <see cref="CliException"/> becomes one line on stderr and its exit code. With
    /// <c>--output json</c> (see <see cref="AddOutputOptions"/>) the body's own printing is set aside and the API's JSON
    /// answer is printed instead: the one answer, or an array of them when the command asked several times.
    /// </summary>
    public static void SetApiAction(this Command command, Func<ParseResult, ApiClient, CancellationToken, Task<int>> action)
    {
        ApiCommands.Add(command);
        command.SetAction(async (parse, ct) =>
        {
            var json = command.Options.OfType<OutputOption>().FirstOrDefault() is { } option && parse.GetValue(option) == "json";
            var captured = json ? new List<JsonElement>() : null;
            var stdout = Console.Out;
            var console = AnsiConsole.Console;
            var aside = new StringWriter();
            if (json)
            {
                Console.SetOut(aside);
                AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(aside),
                });
            }
            try
            {
                using var api = new ApiClient { Captured = captured };
                var code = await action(parse, api, ct);
                if (captured is { Count: > 0 })
                {
                    var value = captured.Count == 1 ? captured[0] : JsonSerializer.SerializeToElement(captured);
                    await stdout.WriteLineAsync(JsonSerializer.Serialize(value, Indented));
                }
                else if (json)
                {
                    await stdout.WriteAsync(aside.ToString());
                }
                return code;
            }
            catch (CliException ex)
            {
                await Console.Error.WriteLineAsync($"billing: {ex.Message}");
                return ex.ExitCode;
            }
            finally
            {
                if (json)
                {
                    Console.SetOut(stdout);
                    AnsiConsole.Console = console;
                }
            }
        });
    }

    /// <summary>
    /// Gives every command that talks to the API and has no <c>--output</c> of its own <c>--output table|json</c>.
    /// Called once the whole tree is built.
    /// </summary>
    public static void AddOutputOptions(Command root)
    {
        foreach (var command in root.Subcommands) AddOutputOptions(command);
        if (ApiCommands.Contains(root) && !root.Options.Any(o => o.Name == "--output" || o.Aliases.Contains("--output")))
            root.Options.Add(new OutputOption());
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary><c>--output table|json</c>: how the answer is printed.</summary>
    private sealed class OutputOption : Option<string>
    {
        public OutputOption() : base("--output")
        {
            Description = "table (default: tables in a terminal, tab-separated rows in a pipe) or json (the API's answer)";
            DefaultValueFactory = _ => "table";
            AcceptOnlyFromAmong("table", "json");
        }
    }

    /// <summary>A table of markup cells: boxes in a terminal, tab-separated plain rows without one (see <see cref="Output"/>).</summary>
    public static Output.Rows NewTable(params string[] columns) => Output.MarkupTable(columns);
}
