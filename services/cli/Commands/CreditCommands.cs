using System.CommandLine;
using Billing.Api.Contracts;

namespace Billing.Cli.Commands;

/// <summary><c>billing invoice credit|void</c> and <c>billing credit-note show</c>: corrections of issued invoices.</summary>
public static class CreditCommands
{
    public static Command Credit()
    {
        var id = new Argument<string>("invoice-id") { Description = "The invoice to credit" };
        var reason = new Option<string>("--reason") { Description = "overcharge, duplicate_usage, goodwill or other", Required = true };
        var amount = new Option<string?>("--amount") { Description = "Amount to give back, tax included, in the invoice's currency (e.g. 12.50)" };
        var line = new Option<string[]>("--line")
        {
            Description = "A credit line net of tax, \"description:quantity:unit_price\" (repeat for several); tax is added at the invoice's rate",
            AllowMultipleArgumentsPerToken = false,
        };
        var memo = new Option<string?>("--memo") { Description = "A note printed on the credit note" };
        var command = new Command("credit", """
            Issue a credit note on an invoice: its own number (CN-2026-000001), PDF, email, journal entry and Stripe credit note.
            Give either --amount (tax included; its tax share is the invoice's) or one or more --line (net; tax added at the invoice's rate).
            The credited total never exceeds what is left to credit on the invoice.

            Examples:
              billing invoice credit 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b --reason overcharge --amount 12.50
              billing invoice credit 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b --reason duplicate_usage --line "API calls counted twice:10000:0.0005"
            """);
        command.Arguments.Add(id);
        command.Options.Add(reason);
        command.Options.Add(amount);
        command.Options.Add(line);
        command.Options.Add(memo);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var lines = parse.GetValue(line) ?? [];
            var given = parse.GetValue(amount);
            if (given is null && lines.Length == 0) throw new CliException("amount: give either lines or an amount (--amount 12.50 or --line \"description:quantity:unit_price\")", 2);
            if (given is not null && lines.Length > 0) throw new CliException("lines: give only one of lines and amount (got --amount and --line)", 2);
            // IssueCreditNoteRequest's fields, with the amount and the lines' numbers as typed: the API reads and checks them
            // and names the field in its message.
            var body = new Dictionary<string, object?> { ["reason"] = parse.GetValue(reason), ["memo"] = parse.GetValue(memo) };
            if (given is not null) body["amount"] = given;
            else body["lines"] = lines.Select((l, i) => ParseLine(l, i)).ToList();
            var note = await api.PostAsync<CreditNoteResponse>($"/api/invoices/{Uri.EscapeDataString(parse.GetValue(id)!)}/credit-notes", body, ct);
            Console.WriteLine($"credit note {note.Number} ({note.Id}) on invoice {note.InvoiceNumber}: {note.Total}");
            Console.WriteLine($"  net {MoneyDisplay.Text(note.SubtotalMinor, note.Currency)}, tax {MoneyDisplay.Text(note.TaxMinor, note.Currency)} ({Wire.Text(note.TaxRate)}%), reason {note.Reason}");
            return 0;
        });
        return command;
    }

    public static Command Void()
    {
        var id = new Argument<string>("invoice-id") { Description = "The invoice to void" };
        var command = new Command("void", """
            Void an invoice that is not paid: its journal entry is reversed, its Stripe invoice voided, its status becomes void.
            A paid invoice cannot be voided (credit it instead); an invoice is voided once.

            Example:
              billing invoice void 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b
            """);
        command.Arguments.Add(id);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var voided = await api.PostAsync<InvoiceVoidedResponse>($"/api/invoices/{Uri.EscapeDataString(parse.GetValue(id)!)}/void", null, ct);
            Console.WriteLine($"invoice {voided.Number} is void ({MoneyDisplay.Text(voided.TotalMinor, voided.Currency)} no longer owed)");
            return 0;
        });
        return command;
    }

    /// <summary>The credit notes part of <c>billing invoice show</c>.</summary>
    public static void PrintCredits(InvoiceDetail invoice)
    {
        if (invoice.Credits is not { } credits) return;
        var notes = credits.CreditNotes;
        if (notes.Count == 0) return;
        var table = CommandBase.NewTable("credit note", "issued", "reason", "amount", "email", "synced");
        foreach (var n in notes)
            table.AddRow(n.Number, Wire.Text(n.IssuedAt), n.Reason, MoneyDisplay.Text(n.TotalMinor, invoice.Currency), n.EmailStatus, Wire.Text(n.SyncedAt));
        table.Write();
        Console.WriteLine($"credited {credits.CreditedTotal}, remaining {credits.Remaining}");
    }

    /// <summary><see cref="CreditLineInput"/> with its quantity and unit price as typed.</summary>
    private sealed record LineAsTyped(string Description, string Quantity, string UnitPrice);

    private static LineAsTyped ParseLine(string text, int index)
    {
        // Split from the right: a description may itself contain colons.
        var last = text.LastIndexOf(':');
        var middle = last > 0 ? text.LastIndexOf(':', last - 1) : -1;
        if (middle <= 0 || last == text.Length - 1)
            throw new CliException($"lines[{index}]: '{text}' is not \"description:quantity:unit_price\", e.g. \"API calls counted twice:10000:0.0005\"", 2);
        return new LineAsTyped(text[..middle], text[(middle + 1)..last], text[(last + 1)..]);
    }
}
