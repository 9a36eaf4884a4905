using System.CommandLine;
using System.Globalization;
using Billing.Invoicing;
using Spectre.Console;
using Billing.Vocabulary;

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
            var i = await api.GetAsync($"/api/invoices/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct);
            string T(string name) => RunCommands.Text(i, name);
            Console.WriteLine($"invoice {T("number")} ({T("id")}) for account {T("account_id")}, period {T("period")}, run {T("run_id")}");
            var currency = T("currency");
            // Piped output keeps a line's description on one row (it is what people search for).
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
            var lines = CommandBase.NewTable("#", "kind", "description", "quantity", "unit price", $"amount ({currency})");
            var all = i.GetProperty("lines").EnumerateArray().ToList();
            var explained = all.Select(l => RunCommands.Text(l, "parent_line_no")).Where(p => p.Length > 0).ToHashSet();
            foreach (var l in all)
            {
                // A line explained by tier or package lines shows no averaged unit price; its explaining lines are indented under it.
                var child = RunCommands.Text(l, "parent_line_no").Length > 0;
                var unitPrice = explained.Contains(RunCommands.Text(l, "line_no")) ? "" : Number(RunCommands.Text(l, "unit_price"));
                lines.AddRow(RunCommands.Text(l, "line_no"), RunCommands.Text(l, "kind"), Markup.Escape((child ? "  " : "") + RunCommands.Text(l, "description")),
                    Number(RunCommands.Text(l, "quantity")), unitPrice, Amount(RunCommands.Text(l, "amount_minor"), currency));
            }
            lines.Write();
            CreditCommands.PrintCredits(i);
            string M(string field) => CreditCommands.Format(i.GetProperty(field).GetInt64(), T("currency"));
            Console.WriteLine($"subtotal {M("subtotal_minor")}  tax {M("tax_minor")} ({T("tax_rate")}%)  total {M("total_minor")}");
            var pdf = i.GetProperty("pdf");
            Console.WriteLine($"status {T("status")}; email {T("email_status")} {T("emailed_at")}; pdf {RunCommands.Text(pdf, "key")} {RunCommands.Text(pdf, "rendered_at")}; synced {T("synced_at")}");
            Console.WriteLine($"stripe customer {T("stripe_customer_id")} invoice {T("stripe_invoice_id")}");
            Console.WriteLine($"trace id {T("trace_id")}");
            if (links.For(T("trace_id")) is { } link) Console.WriteLine($"trace link {link}");
            return 0;
        });
        return command;
    }

    /// <summary>"150", "0.05", "0.0005": the stored 12 decimals without the trailing zeros.</summary>
    private static string Number(string raw) =>
        decimal.TryParse(raw, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d.ToString("#,##0.############", CultureInfo.InvariantCulture) : raw;

    /// <summary>Minor units as money in the invoice's currency: "17.50", JPY "1,235".</summary>
    private static string Amount(string minor, string currency) =>
        long.TryParse(minor, CultureInfo.InvariantCulture, out var m) && Currencies.IsKnown(currency)
            ? MoneyText.Amount(m, currency)
            : minor;

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
            var list = await api.GetAsync($"/api/invoices{query}", ct);
            if (Output.IsTerminal)
            {
                // The number never wraps: it is what people search the output for.
                var table = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("number").NoWrap());
                foreach (var c in new[] { "id", "period", "total", "email", "synced" }) table.AddColumn(c);
                foreach (var i in list.GetProperty("invoices").EnumerateArray())
                    table.AddRow(RunCommands.Text(i, "number"), RunCommands.Text(i, "id"), RunCommands.Text(i, "period"),
                        Total(i), RunCommands.Text(i, "email_status"), RunCommands.Text(i, "synced_at"));
                AnsiConsole.Write(table);
            }
            else
            {
                var rows = Output.Table("number", "id", "period", "total", "email", "synced");
                foreach (var i in list.GetProperty("invoices").EnumerateArray())
                    rows.Add(RunCommands.Text(i, "number"), RunCommands.Text(i, "id"), RunCommands.Text(i, "period"),
                        Total(i), RunCommands.Text(i, "email_status"), RunCommands.Text(i, "synced_at"));
                rows.Write(empty: "no invoices match");
            }
            List<string> next = ["billing", "invoice", "list"];
            if (parse.GetValue(run) is { } rr) next.AddRange(["--run", rr]);
            if (parse.GetValue(account) is { } aa) next.AddRange(["--account", aa]);
            next.AddRange(["--limit", parse.GetValue(limit).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Output.PageAfter("invoices", list, next);
            return 0;
        });
        return command;
    }

    /// <summary>An invoice's total as money in its currency, e.g. EUR 14,002.22.</summary>
    private static string Total(System.Text.Json.JsonElement invoice) =>
        CreditCommands.Format(invoice.GetProperty("total_minor").GetInt64(), RunCommands.Text(invoice, "currency"));
}
