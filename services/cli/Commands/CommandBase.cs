using System.CommandLine;
using Spectre.Console;

namespace Billing.Cli.Commands;

public static class CommandBase
{
    /// <summary>Runs a command body; a <see cref="CliException"/> becomes one line on stderr and its exit code.</summary>
    public static void SetApiAction(this Command command, Func<ParseResult, ApiClient, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                using var api = new ApiClient();
                return await action(parse, api, ct);
            }
            catch (CliException ex)
            {
                await Console.Error.WriteLineAsync($"billing: {ex.Message}");
                return ex.ExitCode;
            }
        });
    }

    public static Table NewTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in columns) table.AddColumn(c);
        return table;
    }
}
