using System.CommandLine;
using Billing.Cli.Commands;

var root = new RootCommand("""
    billing — operate the Billing system from a terminal.
    Talks to the admin API at BILLING_API_URL (default http://127.0.0.1:5080) with the key in BILLING_API_KEY.
    """);
root.Subcommands.Add(HealthCommands.Health());
root.Subcommands.Add(HealthCommands.WhoAmI());
root.Subcommands.Add(KeyCommands.Keys());
root.Subcommands.Add(MailCommands.Suppressions());
// `billing invoice resend|deliveries` once an `invoice` command exists; until then top-level:
root.Subcommands.Add(MailCommands.InvoiceResend("invoice-resend"));
root.Subcommands.Add(MailCommands.InvoiceDeliveries("invoice-deliveries"));
return await root.Parse(args).InvokeAsync();
