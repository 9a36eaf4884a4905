using System.CommandLine;
using Billing.Api.Contracts;
using Spectre.Console;

namespace Billing.Cli.Commands;

/// <summary>
/// <c>billing suppressions list|add|remove</c>, and the invoice email commands <see cref="InvoiceResend"/> and
/// <see cref="InvoiceDeliveries"/>, made to be attached under <c>billing invoice</c> as <c>resend</c> and <c>deliveries</c>.
/// </summary>
public static class MailCommands
{
    private static readonly string[] Reasons = ["unsubscribed", "hard_bounce", "manual"];

    public static Command Suppressions()
    {
        var limit = new Option<int>("--limit") { Description = "Most addresses to show (1–5000)", DefaultValueFactory = _ => 500 };
        var offset = new Option<int>("--offset") { Description = "Skip this many addresses (in address order)" };
        var list = new Command("list", "Addresses invoices are never emailed to, in address order");
        list.Options.Add(limit);
        list.Options.Add(offset);
        list.SetApiAction(async (parse, api, ct) =>
        {
            var page = await api.GetAsync<SuppressionPage>($"/api/suppressions?limit={parse.GetValue(limit)}&offset={parse.GetValue(offset)}", ct);
            var table = CommandBase.NewTable("email", "reason", "note", "since");
            foreach (var s in page.Suppressions)
                table.AddRow(Markup.Escape(s.Email), s.Reason, Markup.Escape(Wire.Text(s.Note)), Wire.Text(s.CreatedAt));
            table.Write(empty: "no suppressed addresses");
            Output.Page("addresses", page.Count, page.Total, page.Offset, page.NextOffset,
                ["billing", "suppressions", "list", "--limit", parse.GetValue(limit).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            return 0;
        });

        var email = new Argument<string>("email") { Description = "The email address" };
        var reason = new Option<string>("--reason") { Description = "unsubscribed, hard_bounce or manual", DefaultValueFactory = _ => "manual" };
        reason.AcceptOnlyFromAmong(Reasons);
        var note = new Option<string?>("--note") { Description = "Why, for the next person who looks" };
        var add = new Command("add", "Stop emailing invoices to an address (updates reason and note if it is already listed)");
        add.Arguments.Add(email);
        add.Options.Add(reason);
        add.Options.Add(note);
        add.SetApiAction(async (parse, api, ct) =>
        {
            var s = await api.PostAsync<Suppression>("/api/suppressions",
                new AddSuppressionRequest(parse.GetValue(email)!, parse.GetValue(reason)!, parse.GetValue(note)), ct);
            Console.WriteLine($"suppressed {s.Email} ({s.Reason})");
            return 0;
        });

        var removed = new Argument<string>("email") { Description = "The email address" };
        var remove = new Command("remove", "Email invoices to an address again");
        remove.Arguments.Add(removed);
        remove.SetApiAction(async (parse, api, ct) =>
        {
            var address = parse.GetValue(removed)!;
            await api.DeleteAsync($"/api/suppressions/{Uri.EscapeDataString(address)}", ct);
            Console.WriteLine($"removed {address.Trim().ToLowerInvariant()} from the suppression list");
            return 0;
        });

        var command = new Command("suppressions", "The email suppression list");
        command.Subcommands.Add(list);
        command.Subcommands.Add(add);
        command.Subcommands.Add(remove);
        return command;
    }

    /// <summary>Email an invoice again (one more email per call; the PDF is re-rendered first if it is missing).</summary>
    public static Command InvoiceResend(string name = "resend")
    {
        var id = InvoiceIdArgument();
        var requestId = new Option<Guid?>("--request-id") { Description = "Reuse to retry this command safely: one email per request id" };
        var command = new Command(name, "Email an invoice again, with its PDF");
        command.Arguments.Add(id);
        command.Options.Add(requestId);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var request = parse.GetValue(requestId) ?? Guid.NewGuid();
            var accepted = await api.PostAsync<ResendAccepted>("/admin/resend-invoice", new ResendInvoiceRequest(Guid.Parse(parse.GetValue(id)!), request), ct);
            Console.WriteLine($"resend of invoice {accepted.InvoiceId} accepted (request {accepted.RequestId}); " +
                              $"follow it with: billing invoice-deliveries {accepted.InvoiceId}");
            return 0;
        });
        return command;
    }

    public static Command InvoiceDeliveries(string name = "deliveries")
    {
        var id = InvoiceIdArgument();
        var command = new Command(name, "Every email sent (or not sent) for an invoice");
        command.Arguments.Add(id);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var list = await api.GetAsync<DeliveryList>($"/api/invoices/{parse.GetValue(id)}/deliveries", ct);
            Console.WriteLine($"invoice {list.InvoiceId}: email {list.EmailStatus}");
            var table = CommandBase.NewTable("#", "reason", "state", "attempts", "recipient", "accepted", "message id / error");
            foreach (var d in list.Deliveries)
                table.AddRow(Wire.Text(d.DeliveryNo), d.Reason, d.State, Wire.Text(d.AttemptCount), Markup.Escape(Wire.Text(d.Recipient)),
                    Wire.Text(d.AcceptedAt), Markup.Escape(d.Error is { Length: > 0 } e ? e : Wire.Text(d.MessageId)));
            table.Write();
            return 0;
        });
        return command;
    }

    private static Argument<string> InvoiceIdArgument()
    {
        var id = new Argument<string>("invoice-id") { Description = "The invoice's id (a UUID)" };
        id.Validators.Add(r =>
        {
            if (!Guid.TryParse(r.GetValueOrDefault<string>(), out _)) r.AddError("invoice-id must be a UUID");
        });
        return id;
    }
}
