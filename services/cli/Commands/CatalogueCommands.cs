using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Billing.Api.Contracts;
using Billing.Invoicing;
using Spectre.Console;
using Billing.Vocabulary;

namespace Billing.Cli.Commands;

/// <summary><c>billing plans|accounts|usage|charges</c>: the catalogue and its input, through the admin API.</summary>
public static class CatalogueCommands
{
    public static IEnumerable<Command> All() => [Plans(), Accounts(), UsageImport.Usage(), Charges()];

    public static Command Plans()
    {
        var file = FileOption("A plan as JSON: {\"code\",\"name\",\"currency\",\"base_fee_minor\",\"components\":[…]}");
        var create = new Command("create", "Create a plan from a JSON file (pricing models per_unit, graduated, volume, package)") { file };
        create.SetApiAction(async (parse, api, ct) =>
        {
            // The file goes as it is: the API validates it and names a bad field by its place in the file.
            var plan = await api.PostAsync<PlanResponse>("/api/plans", ReadJsonFile(parse.GetValue(file)!), ct);
            Console.WriteLine($"created plan {plan.Code} ({plan.Id})");
            return 0;
        });

        var json = JsonOption();
        var list = new Command("list", "List all plans") { json };
        list.SetApiAction(async (parse, api, ct) =>
        {
            var answer = await api.GetAsync("/api/plans", ct);
            if (parse.GetValue(json)) return PrintJson(answer);
            var table = CommandBase.NewTable("code", "name", "currency", "base fee", "metrics");
            foreach (var p in ApiClient.Read<PlanList>(answer, "/api/plans").Items)
                table.AddRow(Esc(p.Code), Esc(p.Name), p.Currency, BaseFee(p), Esc(string.Join(", ", p.Components.Select(c => c.Metric))));
            table.Write();
            return 0;
        });

        var code = new Argument<string>("code") { Description = "Plan code (or id)" };
        var show = new Command("show", "Show a plan with its metered components and prices") { code, json };
        show.SetApiAction(async (parse, api, ct) =>
        {
            var path = $"/api/plans/{Uri.EscapeDataString(parse.GetValue(code)!)}";
            var answer = await api.GetAsync(path, ct);
            if (parse.GetValue(json)) return PrintJson(answer);
            var plan = ApiClient.Read<PlanResponse>(answer, path);
            Console.WriteLine($"plan {plan.Code} — {plan.Name} ({plan.Id})");
            Console.WriteLine($"base fee {BaseFee(plan)} per month");
            var table = CommandBase.NewTable("metric", "model", "prices");
            foreach (var c in plan.Components)
                table.AddRow(Esc(c.Metric), Wire.Text(c.Model), Esc(Prices(c)));
            table.Write();
            return 0;
        });

        return new Command("plans", "Create and inspect plans (base fee plus metered components)") { create, list, show };
    }

    public static Command Accounts()
    {
        var name = new Option<string>("--name") { Description = "Customer name as printed on invoices", Required = true };
        var email = new Option<string>("--email") { Description = "Billing email; stored as given (the mailer reports unusable addresses when it sends)", Required = true };
        var plan = new Option<string>("--plan") { Description = "Plan code or id", Required = true };
        var currency = new Option<string?>("--currency") { Description = "ISO 4217 code; must equal the plan's (default: the plan's)" };
        var taxRate = new Option<string?>("--tax-rate") { Description = "Tax rate in percent, e.g. 19 or 7.5 (default 0)" };
        var line1 = new Option<string>("--line1") { Description = "Address line 1", Required = true };
        var line2 = new Option<string?>("--line2") { Description = "Address line 2" };
        var city = new Option<string>("--city") { Description = "City", Required = true };
        var postal = new Option<string>("--postal-code") { Description = "Postal code (\"\" where the country has none)", Required = true };
        var country = new Option<string>("--country") { Description = "ISO 3166-1 alpha-2 country code, e.g. DE", Required = true };
        var stripe = new Option<string?>("--stripe-customer-id") { Description = "Existing Stripe customer (cus_…)" };
        var externalRef = new Option<string?>("--external-ref") { Description = "Your own unique reference for the account" };
        var issuer = new Option<string?>("--issuer") { Description = "Issuer whose invoice number sequence is used (default \"default\")" };
        var startsOn = new Option<string?>("--billing-starts-on") { Description = "First day billed, yyyy-MM-dd (default: today, UTC); a run for an earlier month skips the account" };
        var endsOn = new Option<string?>("--billing-ends-on") { Description = "Last day billed, yyyy-MM-dd (default: none)" };
        var json = JsonOption();
        var create = new Command("create", "Create one account on a plan")
        {
            name, email, plan, currency, taxRate, line1, line2, city, postal, country, stripe, externalRef, issuer, startsOn, endsOn, json,
        };
        create.SetApiAction(async (parse, api, ct) =>
        {
            // CreateAccountRequest's fields, with the tax rate and the days as typed: the API reads and checks them and
            // names the field in its message (the record would hold them parsed already).
            var body = new Dictionary<string, object?>
            {
                ["name"] = parse.GetValue(name), ["billing_email"] = parse.GetValue(email), ["plan"] = parse.GetValue(plan),
                ["address"] = new AccountAddress(parse.GetValue(line1)!, parse.GetValue(line2), parse.GetValue(city)!, parse.GetValue(postal)!, parse.GetValue(country)!),
            };
            AddIfSet(body, "currency", parse.GetValue(currency));
            AddIfSet(body, "tax_rate", parse.GetValue(taxRate));
            AddIfSet(body, "stripe_customer_id", parse.GetValue(stripe));
            AddIfSet(body, "external_ref", parse.GetValue(externalRef));
            AddIfSet(body, "issuer", parse.GetValue(issuer));
            AddIfSet(body, "billing_starts_on", parse.GetValue(startsOn));
            AddIfSet(body, "billing_ends_on", parse.GetValue(endsOn));
            var answer = await api.PostAsync("/api/accounts", body, ct);
            if (parse.GetValue(json)) return PrintJson(answer);
            var account = ApiClient.Read<AccountResponse>(answer, "/api/accounts");
            Console.WriteLine($"created account {account.Id} ({account.Name}, plan {account.PlanCode}, {account.Currency})");
            return 0;
        });

        var file = FileOption("Accounts as JSON: {\"accounts\":[…]} or […], each like the body of POST /api/accounts");
        var import = new Command("import", "Create many accounts from a JSON file in one request: all are created or none") { file, json };
        import.SetApiAction(async (parse, api, ct) =>
        {
            var path = parse.GetValue(file)!;
            var content = ReadJsonFile(path);
            var accounts = content.ValueKind == JsonValueKind.Array ? new AccountsAsGiven(content)
                : content.ValueKind == JsonValueKind.Object && content.Deserialize<AccountsAsGiven>() is { Accounts.ValueKind: not JsonValueKind.Undefined } given ? given
                : throw new CliException($"{path}: expected {{\"accounts\":[…]}} or a JSON array of accounts");
            var answer = await api.PostAsync("/api/accounts/batch", accounts, ct);
            if (parse.GetValue(json)) return PrintJson(answer);
            Console.WriteLine($"created {ApiClient.Read<AccountsCreated>(answer, "/api/accounts/batch").Created} accounts from {path}");
            return 0;
        });

        var planFilter = new Option<string?>("--plan") { Description = "Only accounts on this plan (code or id)" };
        var limit = new Option<int>("--limit") { Description = "Accounts per page, 1–1000", DefaultValueFactory = _ => 100 };
        var after = new Option<string?>("--after") { Description = "Continue after this account id (printed at the end of the previous page)" };
        var list = new Command("list", "List accounts, oldest first, one page at a time") { planFilter, limit, after, json };
        list.SetApiAction(async (parse, api, ct) =>
        {
            var query = $"/api/accounts?limit={parse.GetValue(limit)}";
            if (parse.GetValue(planFilter) is { } p) query += $"&plan={Uri.EscapeDataString(p)}";
            if (parse.GetValue(after) is { } x) query += $"&after={Uri.EscapeDataString(x)}";
            var answer = await api.GetAsync(query, ct);
            if (parse.GetValue(json)) return PrintJson(answer);
            var page = ApiClient.Read<AccountPage>(answer, query);
            var table = CommandBase.NewTable("id", "name", "billing email", "plan", "currency", "tax %", "external ref");
            foreach (var acc in page.Items)
                table.AddRow(Wire.Text(acc.Id), Esc(acc.Name), Esc(acc.BillingEmail), Esc(acc.PlanCode),
                    acc.Currency, Wire.Text(acc.TaxRate), Esc(acc.ExternalRef));
            table.Write();
            if (page.NextAfter is { } next)
                Console.WriteLine($"more: billing accounts list --after {next}");
            return 0;
        });

        var id = new Argument<string>("id") { Description = "Account id" };
        var show = new Command("show", "Show one account") { id, json };
        show.SetApiAction(async (parse, api, ct) =>
        {
            var path = $"/api/accounts/{Uri.EscapeDataString(parse.GetValue(id)!)}";
            var answer = await api.GetAsync(path, ct);
            if (parse.GetValue(json)) return PrintJson(answer);
            var acc = ApiClient.Read<AccountResponse>(answer, path);
            var address = acc.Address;
            var table = CommandBase.NewTable("field", "value");
            foreach (var (label, value) in new[]
            {
                ("id", Wire.Text(acc.Id)), ("name", acc.Name), ("billing email", acc.BillingEmail),
                ("plan", acc.PlanCode), ("currency", acc.Currency), ("tax rate", Wire.Text(acc.TaxRate) + " %"),
                ("address", string.Join(", ", new[] { address.Line1, address.Line2, address.PostalCode, address.City, address.Country }.Where(s => s is { Length: > 0 }))),
                ("issuer", acc.Issuer), ("external ref", Wire.Text(acc.ExternalRef)),
                ("stripe customer", Wire.Text(acc.StripeCustomerId)), ("created", Wire.Text(acc.CreatedAt)),
                ("billed", $"from {Wire.Text(acc.BillingStartsOn)}" + (acc.BillingEndsOn is { } end ? $" through {Wire.Text(end)}" : "")),
            })
                table.AddRow(label, Esc(value));
            table.Write();
            return 0;
        });

        var accounts = new Command("accounts", "Create, import, inspect, change and end customer accounts") { create, import, list, show };
        foreach (var c in AccountChangeCommands.All()) accounts.Subcommands.Add(c);
        return accounts;
    }

    public static Command Charges()
    {
        var account = new Option<string>("--account") { Description = "Account id", Required = true };
        var description = new Option<string>("--description") { Description = "Line text on the invoice, e.g. \"Managed migration job\"", Required = true };
        var quantity = new Option<string>("--quantity") { Description = "Quantity, greater than 0 (up to 12 decimals)", DefaultValueFactory = _ => "1" };
        var unitPrice = new Option<string>("--unit-price") { Description = "Price per unit in major units of the account's currency, e.g. 150.00 (negative for a credit)", Required = true };
        var period = new Option<string>("--period") { Description = "Billing period yyyy-MM whose invoice carries the charge, e.g. 2026-10", Required = true };
        var key = new Option<string?>("--idempotency-key") { Description = "Makes a retried command add the charge once" };
        var json = JsonOption();
        var add = new Command("add", "Add a one-off charge, billed with the account's next invoice of that period")
        {
            account, description, quantity, unitPrice, period, key, json,
        };
        add.SetApiAction(async (parse, api, ct) =>
        {
            // AddChargeRequest's fields, with the quantity and the price as typed: the API reads and checks them.
            var body = new Dictionary<string, object?>
            {
                ["description"] = parse.GetValue(description), ["quantity"] = parse.GetValue(quantity),
                ["unit_price"] = parse.GetValue(unitPrice), ["period"] = parse.GetValue(period),
            };
            AddIfSet(body, "idempotency_key", parse.GetValue(key));
            var path = $"/api/accounts/{Uri.EscapeDataString(parse.GetValue(account)!)}/charges";
            var answer = await api.PostAsync(path, body, ct);
            if (parse.GetValue(json)) return PrintJson(answer);
            var charge = ApiClient.Read<ChargeResponse>(answer, path);
            Console.WriteLine($"charge {charge.Id}: {Wire.Text(charge.Quantity)} × {Wire.Text(charge.UnitPrice)} \"{charge.Description}\" for {charge.Period}");
            return 0;
        });

        var listAccount = new Option<string>("--account") { Description = "Account id", Required = true };
        var listPeriod = new Option<string?>("--period") { Description = "Only this period (yyyy-MM)" };
        var listJson = JsonOption();
        var list = new Command("list", "List an account's one-off charges") { listAccount, listPeriod, listJson };
        list.SetApiAction(async (parse, api, ct) =>
        {
            var query = $"/api/accounts/{Uri.EscapeDataString(parse.GetValue(listAccount)!)}/charges";
            if (parse.GetValue(listPeriod) is { } p) query += $"?period={Uri.EscapeDataString(p)}";
            var answer = await api.GetAsync(query, ct);
            if (parse.GetValue(listJson)) return PrintJson(answer);
            var table = CommandBase.NewTable("id", "period", "description", "quantity", "unit price");
            foreach (var c in ApiClient.Read<ChargeList>(answer, query).Items)
                table.AddRow(Wire.Text(c.Id), c.Period, Esc(c.Description), Wire.Text(c.Quantity), Wire.Text(c.UnitPrice));
            table.Write();
            return 0;
        });

        return new Command("charges", "One-off charges (e.g. a managed service job) billed with an invoice") { add, list };
    }

    internal static Option<string> FileOption(string description) => new("--file") { Description = description, Required = true };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the API's JSON instead of a table" };

    internal static JsonElement ReadJsonFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliException($"cannot read {path}: {e.Message}"); }
        try { return JsonDocument.Parse(text).RootElement.Clone(); }
        catch (JsonException e) { throw new CliException($"{path} is not valid JSON (line {e.LineNumber + 1}): {e.Message.Split(" LineNumber")[0].TrimEnd(' ', '|', '.')}"); }
    }

    private static int PrintJson(JsonElement value)
    {
        Console.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static void AddIfSet(Dictionary<string, object?> body, string field, string? value)
    {
        if (value is not null) body[field] = value;
    }

    private static string Esc(string? text) => Markup.Escape(text ?? "");

    private static string BaseFee(PlanResponse plan)
    {
        return MoneyDisplay.Text(plan.BaseFeeMinor, plan.Currency);
    }

    /// <summary>A component's prices as the plan gave them ("0.50 per unit", "≤ 100: 0.5/unit; rest: 0.25/unit + 10 flat").</summary>
    private static string Prices(PlanComponent c)
    {
        switch (c.Model)
        {
            case "per_unit":
                return $"{Wire.Exact(c.UnitPrice)} per unit";
            case "package":
                return $"{Wire.Exact(c.PackagePrice)} per {Wire.Exact(c.PackageSize)} units (started packages count)";
            default:
                if (c.Tiers is not { } tiers) return "";
                var parts = new List<string>();
                foreach (var t in tiers)
                {
                    var upTo = Wire.Exact(t.UpTo);
                    var price = new List<string>();
                    if (Wire.Exact(t.UnitPrice) is { Length: > 0 } up) price.Add($"{up}/unit");
                    if (Wire.Exact(t.FlatFee) is { Length: > 0 } ff) price.Add($"{ff} flat");
                    parts.Add($"{(upTo.Length == 0 ? "rest" : "≤ " + upTo)}: {string.Join(" + ", price)}");
                }
                return string.Join("; ", parts);
        }
    }

    /// <summary>The accounts of an import file as they are, sent as <see cref="CreateAccountsRequest"/>'s
    /// <c>accounts</c>: the API checks each and names a bad one by its index.</summary>
    private sealed record AccountsAsGiven([property: JsonPropertyName("accounts")] JsonElement Accounts);

    internal static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
