using System.CommandLine;
using Billing.Cli.Commands;

// Output into a pipe or a file has no terminal width: rather than wrapping tables at 80 columns, keep rows whole
// (COLUMNS, when set to a number, still decides). Lists written through Output drop the box drawing there as well.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width =
        int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0 ? columns : 4096;
    Spectre.Console.AnsiConsole.Profile.Capabilities.Ansi = false;
    Spectre.Console.AnsiConsole.Profile.Capabilities.ColorSystem = Spectre.Console.ColorSystem.NoColors;
}

var root = new RootCommand("""
    billing — operate the Billing system from a terminal.
    Talks to the admin API at BILLING_API_URL (default http://127.0.0.1:5080) with the key in BILLING_API_KEY.
    BILLING_TRACE_UI_URL, a URL template such as http://127.0.0.1:18888/traces/detail/{trace_id} (the quick start's
    dashboard) or http://localhost:16686/trace/{trace_id} (Jaeger), adds trace links.
    """);
root.Subcommands.Add(HealthCommands.Health());
root.Subcommands.Add(HealthCommands.WhoAmI());
root.Subcommands.Add(KeyCommands.Keys());
foreach (var command in CatalogueCommands.All()) root.Subcommands.Add(command);
root.Subcommands.Add(RunCommands.Run());
root.Subcommands.Add(InvoiceCommands.Invoice(
    PdfCommands.Render(), PdfCommands.Pdf(), MailCommands.InvoiceResend(), MailCommands.InvoiceDeliveries(),
    CreditCommands.Credit(), CreditCommands.Void()));
root.Subcommands.Add(MailCommands.Suppressions());
root.Subcommands.Add(ErrorCommands.Errors());
root.Subcommands.Add(LedgerCommands.Ledger());
root.Subcommands.Add(LedgerCommands.Reconcile());
root.Subcommands.Add(DlqCommands.Dlq());
return await root.Parse(args).InvokeAsync();
