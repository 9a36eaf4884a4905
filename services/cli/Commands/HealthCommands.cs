using System.CommandLine;
using Billing.Api.Contracts;
using Spectre.Console;

namespace Billing.Cli.Commands;

public static class HealthCommands
{
    public static Command Health()
    {
        var command = new Command("health", "Show the admin API's health and each dependency's check");
        command.SetApiAction(async (_, api, ct) =>
        {
            var health = await api.GetAsync<ServiceHealth>("/health", ct);
            var table = CommandBase.NewTable("check", "status", "detail");
            foreach (var (name, check) in health.Checks)
                table.AddRow(name, Wire.Text(check.Status), Markup.Escape(Wire.Text(check.Description)));
            AnsiConsole.MarkupLine($"admin API {Markup.Escape(api.BaseUrl)}: [bold]{health.Status}[/] (version {health.Version})");
            table.Write();
            return health.Status == "healthy" ? 0 : 1;
        });
        return command;
    }

    public static Command WhoAmI()
    {
        var command = new Command("whoami", "Show the name and role of the API key in BILLING_API_KEY");
        command.SetApiAction(async (_, api, ct) =>
        {
            var me = await api.GetAsync<WhoAmI>("/api/whoami", ct);
            Console.WriteLine($"{me.Name} ({me.Role})");
            return 0;
        });
        return command;
    }
}
