using System.CommandLine;
using Spectre.Console;

namespace Billing.Cli.Commands;

public static class HealthCommands
{
    public static Command Health()
    {
        var command = new Command("health", "Show the admin API's health and each dependency's check");
        command.SetApiAction(async (_, api, ct) =>
        {
            var health = await api.GetAsync("/health", ct);
            var table = CommandBase.NewTable("check", "status", "detail");
            foreach (var check in health.GetProperty("checks").EnumerateObject())
                table.AddRow(check.Name, check.Value.GetProperty("status").GetString() ?? "",
                    Markup.Escape(check.Value.TryGetProperty("description", out var d) ? d.GetString() ?? "" : ""));
            AnsiConsole.MarkupLine($"admin API {Markup.Escape(api.BaseUrl)}: [bold]{health.GetProperty("status").GetString()}[/] (version {health.GetProperty("version").GetString()})");
            table.Write();
            return health.GetProperty("status").GetString() == "healthy" ? 0 : 1;
        });
        return command;
    }

    public static Command WhoAmI()
    {
        var command = new Command("whoami", "Show the name and role of the API key in BILLING_API_KEY");
        command.SetApiAction(async (_, api, ct) =>
        {
            var me = await api.GetAsync<Billing.Api.Contracts.WhoAmI>("/api/whoami", ct);
            Console.WriteLine($"{me.Name} ({me.Role})");
            return 0;
        });
        return command;
    }
}
