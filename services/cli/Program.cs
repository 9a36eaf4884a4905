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

    Output: tables in a terminal; in a pipe or a file, tab-separated rows under a header line, no colour. Every
    command that asks the API takes --output json and then prints the API's answer instead.

    Exit codes: 0 done; 1 the API refused or the result needs attention (a run not completed, an unhealthy
    dependency, a drift); 2 bad input on the command line (a malformed id or period, a bad BILLING_API_URL).

    Examples:
      billing run start --period 2026-11 --watch
      billing run status --period 2026-11 --watch        # follow a run started elsewhere
      billing invoice list --run <run-id> | cut -f1,4     # numbers and totals
      billing errors list --output json | jq '.errors[].title'
      source <(billing completion bash)
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
root.Subcommands.Add(CompletionCommands.Completion());
CommandBase.AddOutputOptions(root);
return await root.Parse(args).InvokeAsync();
