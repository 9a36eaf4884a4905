using System.CommandLine;
using System.Globalization;
using Billing.Api.Contracts;
using Billing.Invoicing;
using Spectre.Console;

namespace Billing.Cli.Commands;

/// <summary><c>billing invoice show|list</c>; other features add their subcommands through <paramref name="extra"/>.</summary>
public static class InvoiceCommands
{
    public static Command Invoice(params Command[] extra)
    {
        var invoice = new Command("invoice", "Look at invoices");
        invoice.Subcommands.Add(Show());
        invoice.Subcommands.Add(List());
        foreach (var command in extra) invoice.Subcommands.Add(command);
        return invoice;
    }

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = "Invoice id" };
        var command = new Command("show", $"Lines, totals, number, states and trace id of an invoice (with a link when {TraceLinks.Setting} is set)");
        command.Arguments.Add(id);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var links = TraceLinks.FromEnvironment();
            var i = await api.GetAsync<InvoiceDetail>($"/api/invoices/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct);
            Console.WriteLine($"invoice {i.Number} ({i.Id}) for account {i.AccountId}, period {i.Period}, run {Wire.Text(i.RunId)}");
            var currency = i.Currency;
            // Piped output keeps a line's description on one row (it is what people search for).
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
            var lines = CommandBase.NewTable("#", "kind", "description", "quantity", "unit price", $"amount ({currency})");
            var explained = i.Lines.Where(l => l.ParentLineNo is not null).Select(l => l.ParentLineNo!.Value).ToHashSet();
            foreach (var l in i.Lines)
            {
                // A line explained by tier or package lines shows no averaged unit price; its explaining lines are indented under it.
                var child = l.ParentLineNo is not null;
                var unitPrice = explained.Contains(l.LineNo) ? "" : Number(l.UnitPrice);
                lines.AddRow(Wire.Text(l.LineNo), l.Kind, Markup.Escape((child ? "  " : "") + l.Description),
                    Number(l.Quantity), unitPrice, MoneyDisplay.Amount(l.AmountMinor, currency));
            }
            lines.Write();
            CreditCommands.PrintCredits(i);
            string M(long minor) => MoneyDisplay.Text(minor, currency);
            Console.WriteLine($"subtotal {M(i.SubtotalMinor)}  tax {M(i.TaxMinor)} ({Wire.Text(i.TaxRate)}%)  total {M(i.TotalMinor)}");
            Console.WriteLine($"status {i.Status}; email {i.EmailStatus} {Wire.Text(i.EmailedAt)}; pdf {Wire.Text(i.Pdf.Key)} {Wire.Text(i.Pdf.RenderedAt)}; synced {Wire.Text(i.SyncedAt)}");
            Console.WriteLine($"stripe customer {Wire.Text(i.StripeCustomerId)} invoice {Wire.Text(i.StripeInvoiceId)}");
            Console.WriteLine($"trace id {Wire.Text(i.TraceId)}");
            if (links.For(i.TraceId) is { } link) Console.WriteLine($"trace link {link}");
            return 0;
        });
        return command;
    }

    /// <summary>"150", "0.05", "0.0005": the stored 12 decimals without the trailing zeros.</summary>
    private static string Number(decimal value) => value.ToString("#,##0.############", CultureInfo.InvariantCulture);

    private static Command List()
    {
        var run = new Option<string?>("--run") { Description = "Invoices of this run" };
        var account = new Option<string?>("--account") { Description = "Invoices of this account" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1000)", DefaultValueFactory = _ => 50 };
        var after = new Option<string?>("--after") { Description = "Start after this invoice id (the next page of a long list)" };
        var command = new Command("list", "Invoices of a run or an account, in id order, a page at a time");
        command.Options.Add(run);
        command.Options.Add(account);
        command.Options.Add(limit);
        command.Options.Add(after);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var query = $"?limit={parse.GetValue(limit)}";
            if (parse.GetValue(run) is { } r) query += $"&run_id={Uri.EscapeDataString(r)}";
            if (parse.GetValue(account) is { } a) query += $"&account_id={Uri.EscapeDataString(a)}";
            if (parse.GetValue(after) is { } from) query += $"&after={Uri.EscapeDataString(from)}";
            var list = await api.GetAsync<InvoicePage>($"/api/invoices{query}", ct);
            if (Output.IsTerminal)
            {
                // The number never wraps: it is what people search the output for.
                var table = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("number").NoWrap());
                foreach (var c in new[] { "id", "period", "total", "email", "synced" }) table.AddColumn(c);
                foreach (var i in list.Invoices)
                    table.AddRow(i.Number, Wire.Text(i.Id), i.Period, Total(i), i.EmailStatus, Wire.Text(i.SyncedAt));
                AnsiConsole.Write(table);
            }
            else
            {
                var rows = Output.Table("number", "id", "period", "total", "email", "synced");
                foreach (var i in list.Invoices)
                    rows.Add(i.Number, Wire.Text(i.Id), i.Period, Total(i), i.EmailStatus, Wire.Text(i.SyncedAt));
                rows.Write(empty: "no invoices match");
            }
            List<string> next = ["billing", "invoice", "list"];
            if (parse.GetValue(run) is { } rr) next.AddRange(["--run", rr]);
            if (parse.GetValue(account) is { } aa) next.AddRange(["--account", aa]);
            next.AddRange(["--limit", parse.GetValue(limit).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Output.PageAfter("invoices", list.Count, list.Total, list.Offset, list.NextAfter, next);
            return 0;
        });
        return command;
    }

    /// <summary>An invoice's total as money in its currency, e.g. EUR 14,002.22.</summary>
    private static string Total(InvoiceSummary invoice) => MoneyDisplay.Text(invoice.TotalMinor, invoice.Currency);
}
