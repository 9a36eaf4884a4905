using System.CommandLine;
using System.Globalization;
using System.Text.Json;
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
            var plan = await api.PostAsync("/api/plans", ReadJsonFile(parse.GetValue(file)!), ct);
            Console.WriteLine($"created plan {Str(plan, "code")} ({Str(plan, "id")})");
            return 0;
        });

        var json = JsonOption();
        var list = new Command("list", "List all plans") { json };
        list.SetApiAction(async (parse, api, ct) =>
        {
            var plans = await api.GetAsync("/api/plans", ct);
            if (parse.GetValue(json)) return PrintJson(plans);
            var table = CommandBase.NewTable("code", "name", "currency", "base fee", "metrics");
            foreach (var p in plans.GetProperty("items").EnumerateArray())
                table.AddRow(Esc(Str(p, "code")), Esc(Str(p, "name")), Str(p, "currency"), BaseFee(p),
                    Esc(string.Join(", ", p.GetProperty("components").EnumerateArray().Select(c => Str(c, "metric")))));
            table.Write();
            return 0;
        });

        var code = new Argument<string>("code") { Description = "Plan code (or id)" };
        var show = new Command("show", "Show a plan with its metered components and prices") { code, json };
        show.SetApiAction(async (parse, api, ct) =>
        {
            var plan = await api.GetAsync($"/api/plans/{Uri.EscapeDataString(parse.GetValue(code)!)}", ct);
            if (parse.GetValue(json)) return PrintJson(plan);
            Console.WriteLine($"plan {Str(plan, "code")} — {Str(plan, "name")} ({Str(plan, "id")})");
            Console.WriteLine($"base fee {BaseFee(plan)} per month");
            var table = CommandBase.NewTable("metric", "model", "prices");
            foreach (var c in plan.GetProperty("components").EnumerateArray())
                table.AddRow(Esc(Str(c, "metric")), Str(c, "model"), Esc(Prices(c)));
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
            var body = new Dictionary<string, object?>
            {
                ["name"] = parse.GetValue(name), ["billing_email"] = parse.GetValue(email), ["plan"] = parse.GetValue(plan),
                ["address"] = new Dictionary<string, string?>
                {
                    ["line1"] = parse.GetValue(line1), ["line2"] = parse.GetValue(line2), ["city"] = parse.GetValue(city),
                    ["postal_code"] = parse.GetValue(postal), ["country"] = parse.GetValue(country),
                },
            };
            AddIfSet(body, "currency", parse.GetValue(currency));
            AddIfSet(body, "tax_rate", parse.GetValue(taxRate));
            AddIfSet(body, "stripe_customer_id", parse.GetValue(stripe));
            AddIfSet(body, "external_ref", parse.GetValue(externalRef));
            AddIfSet(body, "issuer", parse.GetValue(issuer));
            AddIfSet(body, "billing_starts_on", parse.GetValue(startsOn));
            AddIfSet(body, "billing_ends_on", parse.GetValue(endsOn));
            var account = await api.PostAsync("/api/accounts", body, ct);
            if (parse.GetValue(json)) return PrintJson(account);
            Console.WriteLine($"created account {Str(account, "id")} ({Str(account, "name")}, plan {Str(account, "plan_code")}, {Str(account, "currency")})");
            return 0;
        });

        var file = FileOption("Accounts as JSON: {\"accounts\":[…]} or […], each like the body of POST /api/accounts");
        var import = new Command("import", "Create many accounts from a JSON file in one request: all are created or none") { file, json };
        import.SetApiAction(async (parse, api, ct) =>
        {
            var path = parse.GetValue(file)!;
            var content = ReadJsonFile(path);
            var accounts = content.ValueKind == JsonValueKind.Array ? content
                : content.ValueKind == JsonValueKind.Object && content.TryGetProperty("accounts", out var a) ? a
                : throw new CliException($"{path}: expected {{\"accounts\":[…]}} or a JSON array of accounts");
            var result = await api.PostAsync("/api/accounts/batch", new { accounts }, ct);
            if (parse.GetValue(json)) return PrintJson(result);
            Console.WriteLine($"created {result.GetProperty("created").GetInt32()} accounts from {path}");
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
            var page = await api.GetAsync(query, ct);
            if (parse.GetValue(json)) return PrintJson(page);
            var table = CommandBase.NewTable("id", "name", "billing email", "plan", "currency", "tax %", "external ref");
            foreach (var acc in page.GetProperty("items").EnumerateArray())
                table.AddRow(Str(acc, "id"), Esc(Str(acc, "name")), Esc(Str(acc, "billing_email")), Esc(Str(acc, "plan_code")),
                    Str(acc, "currency"), Str(acc, "tax_rate"), Esc(Str(acc, "external_ref")));
            table.Write();
            if (page.GetProperty("next_after").GetString() is { } next)
                Console.WriteLine($"more: billing accounts list --after {next}");
            return 0;
        });

        var id = new Argument<string>("id") { Description = "Account id" };
        var show = new Command("show", "Show one account") { id, json };
        show.SetApiAction(async (parse, api, ct) =>
        {
            var acc = await api.GetAsync($"/api/accounts/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct);
            if (parse.GetValue(json)) return PrintJson(acc);
            var address = acc.GetProperty("address");
            var table = CommandBase.NewTable("field", "value");
            foreach (var (label, value) in new[]
            {
                ("id", Str(acc, "id")), ("name", Str(acc, "name")), ("billing email", Str(acc, "billing_email")),
                ("plan", Str(acc, "plan_code")), ("currency", Str(acc, "currency")), ("tax rate", Str(acc, "tax_rate") + " %"),
                ("address", string.Join(", ", new[] { "line1", "line2", "postal_code", "city", "country" }.Select(f => Str(address, f)).Where(s => s.Length > 0))),
                ("issuer", Str(acc, "issuer")), ("external ref", Str(acc, "external_ref")),
                ("stripe customer", Str(acc, "stripe_customer_id")), ("created", Str(acc, "created_at")),
                ("billed", $"from {Str(acc, "billing_starts_on")}" + (Str(acc, "billing_ends_on") is { Length: > 0 } end ? $" through {end}" : "")),
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
            var body = new Dictionary<string, object?>
            {
                ["description"] = parse.GetValue(description), ["quantity"] = parse.GetValue(quantity),
                ["unit_price"] = parse.GetValue(unitPrice), ["period"] = parse.GetValue(period),
            };
            AddIfSet(body, "idempotency_key", parse.GetValue(key));
            var charge = await api.PostAsync($"/api/accounts/{Uri.EscapeDataString(parse.GetValue(account)!)}/charges", body, ct);
            if (parse.GetValue(json)) return PrintJson(charge);
            Console.WriteLine($"charge {Str(charge, "id")}: {Str(charge, "quantity")} × {Str(charge, "unit_price")} \"{Str(charge, "description")}\" for {Str(charge, "period")}");
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
            var charges = await api.GetAsync(query, ct);
            if (parse.GetValue(listJson)) return PrintJson(charges);
            var table = CommandBase.NewTable("id", "period", "description", "quantity", "unit price");
            foreach (var c in charges.GetProperty("items").EnumerateArray())
                table.AddRow(Str(c, "id"), Str(c, "period"), Esc(Str(c, "description")), Str(c, "quantity"), Str(c, "unit_price"));
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

    private static string Str(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => v.GetRawText(),
        } : "";

    private static string Esc(string text) => Markup.Escape(text);

    private static string BaseFee(JsonElement plan)
    {
        var minor = plan.GetProperty("base_fee_minor").GetInt64();
        var currency = Str(plan, "currency");
        return Currencies.IsKnown(currency) ? MoneyText.Format(minor, currency) : $"{minor} (minor units) {currency}";
    }

    private static string Prices(JsonElement c)
    {
        switch (Str(c, "model"))
        {
            case "per_unit":
                return $"{Str(c, "unit_price")} per unit";
            case "package":
                return $"{Str(c, "package_price")} per {Str(c, "package_size")} units (started packages count)";
            default:
                if (!c.TryGetProperty("tiers", out var tiers)) return "";
                var parts = new List<string>();
                foreach (var t in tiers.EnumerateArray())
                {
                    var upTo = Str(t, "up_to");
                    var price = new List<string>();
                    if (Str(t, "unit_price") is { Length: > 0 } up) price.Add($"{up}/unit");
                    if (Str(t, "flat_fee") is { Length: > 0 } ff) price.Add($"{ff} flat");
                    parts.Add($"{(upTo.Length == 0 ? "rest" : "≤ " + upTo)}: {string.Join(" + ", price)}");
                }
                return string.Join("; ", parts);
        }
    }

    internal static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
