using System.CommandLine;
using System.Text.Json;
using Billing.Api.Contracts;
using Spectre.Console;

namespace Billing.Cli.Commands;

/// <summary><c>billing accounts update|end|history</c>: PATCH /api/accounts/{id} and GET /api/accounts/{id}/history.
/// Values are passed to the API as typed, so the API's validation (and its messages) decide. A change is a JSON object
/// of only the fields to change (null clears some), which <see cref="UpdateAccountRequest"/>, whose every field is
/// written, cannot say; the answers are read as <see cref="AccountResponse"/> and <see cref="AccountHistory"/>.</summary>
public static class AccountChangeCommands
{
    public static IEnumerable<Command> All() => [Update(), End(), History()];

    private static Command Update()
    {
        var id = new Argument<string>("id") { Description = "Account id" };
        var name = new Option<string?>("--name") { Description = "Customer name as printed on invoices" };
        var email = new Option<string?>("--email") { Description = "Billing email, used by every email and resend from now on" };
        var taxRate = new Option<string?>("--tax-rate") { Description = "Tax rate in percent, e.g. 19 (applies to invoices made from now on)" };
        var issuer = new Option<string?>("--issuer") { Description = "Issuer whose invoice number sequence is used" };
        var stripe = new Option<string?>("--stripe-customer-id") { Description = "Stripe customer (cus_…); \"\" clears it" };
        var externalRef = new Option<string?>("--external-ref") { Description = "Your own unique reference; \"\" clears it" };
        var line1 = new Option<string?>("--line1") { Description = "Address line 1 (other address parts are kept)" };
        var line2 = new Option<string?>("--line2") { Description = "Address line 2; \"\" clears it" };
        var city = new Option<string?>("--city") { Description = "City" };
        var postal = new Option<string?>("--postal-code") { Description = "Postal code" };
        var country = new Option<string?>("--country") { Description = "ISO 3166-1 alpha-2 country code, e.g. DE" };
        var plan = new Option<string?>("--plan") { Description = "New plan (code or id), in force from --effective-on" };
        var effective = new Option<string?>("--effective-on") { Description = "First day on the new plan, yyyy-MM-dd; not inside a month already invoiced" };
        var endsOn = new Option<string?>("--billing-ends-on") { Description = "Last day billed, yyyy-MM-dd (same as billing accounts end)" };
        var clearEnd = new Option<bool>("--no-end") { Description = "Remove the billing end: billed until further notice" };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a summary" };
        var command = new Command("update", """
            Change an account: invoices, emails and resends made from now on use the new values; every change is kept in its history.
            Examples:
              billing accounts update 0193f2a4-… --email ap@acme.example
              billing accounts update 0193f2a4-… --plan growth --effective-on 2026-11-12
              billing accounts update 0193f2a4-… --line1 "Hauptstr. 2" --postal-code 10117
            """)
        {
            id, name, email, taxRate, issuer, stripe, externalRef, line1, line2, city, postal, country, plan, effective, endsOn, clearEnd, json,
        };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var path = AccountPath(parse.GetValue(id)!);
            var body = new Dictionary<string, object?>();
            Set(body, "name", parse.GetValue(name));
            Set(body, "billing_email", parse.GetValue(email));
            Set(body, "tax_rate", parse.GetValue(taxRate));
            Set(body, "issuer", parse.GetValue(issuer));
            if (parse.GetValue(stripe) is { } s) body["stripe_customer_id"] = s.Length == 0 ? null : s;
            if (parse.GetValue(externalRef) is { } r) body["external_ref"] = r.Length == 0 ? null : r;
            Set(body, "billing_ends_on", parse.GetValue(endsOn));
            if (parse.GetValue(clearEnd))
            {
                if (body.ContainsKey("billing_ends_on")) throw new CliException("give either --billing-ends-on or --no-end", 2);
                body["billing_ends_on"] = null;
            }
            if (parse.GetValue(plan) is { } p) body["plan"] = p;
            if (parse.GetValue(effective) is { } e) body["plan_effective_on"] = e;

            var parts = new[] { ("line1", line1), ("line2", line2), ("city", city), ("postal_code", postal), ("country", country) }
                .Select(x => (x.Item1, Value: parse.GetValue(x.Item2))).Where(x => x.Value is not null).ToList();
            if (parts.Count > 0)
            {
                // The API takes a whole address: start from the stored one.
                var address = (await api.GetAsync<AccountResponse>(path, ct)).Address;
                foreach (var (field, value) in parts)
                    address = field switch
                    {
                        "line1" => address with { Line1 = value! },
                        "line2" => address with { Line2 = value!.Length == 0 ? null : value },
                        "city" => address with { City = value! },
                        "postal_code" => address with { PostalCode = value! },
                        _ => address with { Country = value! },
                    };
                body["address"] = address;
            }
            if (body.Count == 0) throw new CliException("nothing to change: give at least one option (see billing accounts update --help)", 2);

            var answer = await api.PatchAsync(path, body, ct);
            if (parse.GetValue(json)) return Print(answer);
            var account = ApiClient.Read<AccountResponse>(answer, path);
            Console.WriteLine($"updated account {account.Id} ({account.Name}): {string.Join(", ", body.Keys)}");
            return 0;
        });
        return command;
    }

    private static Command End()
    {
        var id = new Argument<string>("id") { Description = "Account id" };
        var on = new Option<string>("--on") { Description = "Last day billed, yyyy-MM-dd: its last invoice is prorated to that day and later runs skip it", Required = true };
        var command = new Command("end", """
            End an account's billing: the month of the last day is billed prorated, later months are not billed.
            The day must not be before the billing start nor inside a month already invoiced.
            Example:
              billing accounts end 0193f2a4-… --on 2026-12-15
            """) { id, on };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var account = await api.PatchAsync<AccountResponse>(AccountPath(parse.GetValue(id)!), new Dictionary<string, object?> { ["billing_ends_on"] = parse.GetValue(on) }, ct);
            Console.WriteLine($"account {account.Id} ({account.Name}) is billed from {Wire.Text(account.BillingStartsOn)} through {Wire.Text(account.BillingEndsOn)}");
            return 0;
        });
        return command;
    }

    private static Command History()
    {
        var id = new Argument<string>("id") { Description = "Account id" };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a table" };
        var command = new Command("history", """
            Show every change of an account: when, by which API key, the field, the old and the new value.
            Example:
              billing accounts history 0193f2a4-…
            """) { id, json };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var path = AccountPath(parse.GetValue(id)!) + "/history";
            var answer = await api.GetAsync(path, ct);
            if (parse.GetValue(json)) return Print(answer);
            var items = ApiClient.Read<AccountHistory>(answer, path).Items;
            if (items.Count == 0)
            {
                Console.WriteLine("no changes since the account was created");
                return 0;
            }
            var table = CommandBase.NewTable("when (UTC)", "by", "field", "old", "new");
            foreach (var h in items)
                table.AddRow(Markup.Escape(When(h)), Markup.Escape(h.ChangedBy), Markup.Escape(h.Field),
                    Markup.Escape(Wire.Text(h.OldValue)), Markup.Escape(Wire.Text(h.NewValue)));
            table.Write();
            return 0;
        });
        return command;
    }

    private static string AccountPath(string id) => $"/api/accounts/{Uri.EscapeDataString(id)}";

    private static void Set(Dictionary<string, object?> body, string field, string? value)
    {
        if (value is not null) body[field] = value;
    }

    private static string When(AccountHistoryEntry h) => new DateTimeOffset(h.ChangedAt).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss");

    private static int Print(JsonElement value)
    {
        Console.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}
