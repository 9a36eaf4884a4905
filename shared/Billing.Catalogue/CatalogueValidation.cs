using System.Text.Json;
using Billing.Catalogue.Requests;
using Billing.Invoicing;

namespace Billing.Catalogue;

/// <summary>
/// Checks request bodies before anything touches the database. Every problem is collected and named by its
/// snake_case path (<c>accounts[3].billing_email</c>, <c>records[7].quantity</c>); anything wrong throws
/// <see cref="DomainValidationException"/> and nothing is written. Checks that need stored data (unknown plan,
/// metric not in the plan, closed period) happen in the stores, inside their transaction.
/// </summary>
public static class CatalogueValidation
{
    public const int MaxBatch = 10_000;

    /// <summary>numeric(30,12): 18 digits before the point.</summary>
    private const decimal MaxMagnitude = 1_000_000_000_000_000_000m;

    /// <summary>Most problems one answer lists: a 10,000-record batch with a wrong column would otherwise answer 10,000 lines.</summary>
    private const int MaxErrorsShown = 25;

    public static PlanDefinition Plan(PlanRequest request)
    {
        var errors = new ValidationErrors();
        Code(errors, "code", request.Code, "plan code");
        Text(errors, "name", request.Name, 200);
        if (!Currencies.TryGet(request.Currency, out _))
            errors.Add("currency", request.Currency is null ? "is required" : $"unknown currency '{request.Currency}'; expected an upper-case ISO 4217 code such as EUR or JPY");
        if (request.BaseFeeMinor < 0) errors.Add("base_fee_minor", "must not be negative (integer minor units, e.g. 4900 for 49.00 EUR)");
        IReadOnlyList<MeteredComponent> components = [];
        if (request.Components.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            errors.Add("components", "is required (use [] for a plan with only a base fee)");
        else
        {
            try { components = PlanComponentsJson.Parse(request.Components.GetRawText()); }
            catch (DomainValidationException e) { errors.AddRange(e.Errors); }
        }
        ThrowIfAny(errors);
        return new PlanDefinition
        {
            Code = request.Code!, Name = request.Name!.Trim(), Currency = request.Currency!,
            BaseFeeMinor = request.BaseFeeMinor ?? 0, Components = components,
        };
    }

    public static NewAccount Account(AccountRequest? request)
    {
        var errors = new ValidationErrors();
        var account = Account(errors, "", request);
        ThrowIfAny(errors);
        return account!;
    }

    private static readonly string[] PatchFields =
    [
        "name", "billing_email", "address", "tax_rate", "issuer", "stripe_customer_id", "external_ref", "billing_ends_on",
        "plan", "plan_id", "plan_code", "plan_effective_on",
    ];

    /// <summary>A <c>PATCH /api/accounts/{id}</c> body: any of <see cref="PatchFields"/>; a plan (<c>plan_id</c>,
    /// <c>plan_code</c> or <c>plan</c>) always with <c>plan_effective_on</c>. Checks against the stored account
    /// (dates, invoiced periods, the plan's currency) happen in <see cref="AccountStore.UpdateAsync"/>.</summary>
    public static AccountChanges AccountPatch(JsonElement body)
    {
        var errors = new ValidationErrors();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", "must be a JSON object with the fields to change");
            ThrowIfAny(errors);
        }
        var changes = new AccountChanges();
        string? planRef = null, planField = null;
        DateOnly? effective = null;
        var seen = 0;
        foreach (var p in body.EnumerateObject())
        {
            seen++;
            var v = p.Value;
            switch (p.Name)
            {
                case "name":
                    if (String(errors, p.Name, v, nullable: false) is { } name) { Text(errors, "name", name, 200); changes = changes with { Name = Change<string>.To(name.Trim()) }; }
                    break;
                case "billing_email":
                    if (String(errors, p.Name, v, nullable: false) is { } email) changes = changes with { BillingEmail = Change<string>.To(email) };
                    break;
                case "address":
                    AddressRequest? a = null;
                    if (v.ValueKind != JsonValueKind.Object) errors.Add("address", "must be an object {line1, line2?, city, postal_code, country}");
                    else
                    {
                        try { a = v.Deserialize<AddressRequest>(Json.CatalogueJson.Options); }
                        catch (JsonException e)
                        {
                            var (field, message) = Json.CatalogueJson.Describe(e);
                            errors.Add(field == "body" ? "address" : "address." + field, message);
                        }
                    }
                    if (a is not null && Address(errors, "address", a) is { } address) changes = changes with { Address = Change<Address>.To(address) };
                    break;
                case "tax_rate":
                    if (DecimalValue(errors, p.Name, v) is { } rate)
                    {
                        if (rate is < 0 or >= 100) errors.Add("tax_rate", "must be a percent from 0 to less than 100 (19 for 19 %)");
                        else if (Money.DecimalPlaces(rate) > 4) errors.Add("tax_rate", "must have at most 4 decimals");
                        else changes = changes with { TaxRate = Change<decimal>.To(rate) };
                    }
                    break;
                case "issuer":
                    if (String(errors, p.Name, v, nullable: false) is { } issuer) { Code(errors, "issuer", issuer, "issuer"); changes = changes with { Issuer = Change<string>.To(issuer) }; }
                    break;
                case "stripe_customer_id":
                case "external_ref":
                    var text = String(errors, p.Name, v, nullable: true);
                    if (text is not null) Text(errors, p.Name, text, 200);
                    if (v.ValueKind is JsonValueKind.String or JsonValueKind.Null)
                        changes = p.Name == "external_ref" ? changes with { ExternalRef = Change<string?>.To(text) } : changes with { StripeCustomerId = Change<string?>.To(text) };
                    break;
                case "billing_ends_on":
                    if (v.ValueKind == JsonValueKind.Null) changes = changes with { BillingEndsOn = Change<DateOnly?>.To(null) };
                    else if (DateValue(errors, p.Name, v) is { } end) changes = changes with { BillingEndsOn = Change<DateOnly?>.To(end) };
                    break;
                case "plan":
                case "plan_id":
                case "plan_code":
                    if (planField is not null) errors.Add(p.Name, $"give one of plan_id, plan_code or plan; {planField} is given too");
                    else if (String(errors, p.Name, v, nullable: false) is { } reference)
                    {
                        planField = p.Name;
                        if (p.Name == "plan_id" && !Guid.TryParse(reference, out _)) errors.Add(p.Name, "must be a UUID such as \"0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d\"");
                        else { Text(errors, p.Name, reference, 200); planRef = reference.Trim(); }
                    }
                    break;
                case "plan_effective_on":
                    effective = DateValue(errors, p.Name, v);
                    break;
                default:
                    errors.Add(p.Name, $"is not a known field; an account change takes {string.Join(", ", PatchFields)}");
                    break;
            }
        }
        if (seen == 0) errors.Add("body", $"has no field to change; give any of {string.Join(", ", PatchFields)}");
        if (planField is not null && effective is null && !errors.Any(e => e.Field == "plan_effective_on"))
            errors.Add("plan_effective_on", "is required with a plan change: the first day billed on the new plan, e.g. \"2026-11-12\"");
        if (planField is null && body.TryGetProperty("plan_effective_on", out _))
            errors.Add("plan_effective_on", "goes with plan_id or plan_code: which plan takes effect on that day?");
        ThrowIfAny(errors);
        return planRef is null ? changes : changes with { Plan = (planRef, planField!, effective!.Value) };
    }

    private static string? String(ValidationErrors errors, string field, JsonElement v, bool nullable)
    {
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        if (v.ValueKind == JsonValueKind.Null && nullable) return null;
        errors.Add(field, nullable ? "must be a string, or null to clear it" : "must be a string");
        return null;
    }

    private static decimal? DecimalValue(ValidationErrors errors, string field, JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var number)) return number;
        if (v.ValueKind == JsonValueKind.String && Json.DecimalText.TryParse(v.GetString(), out var parsed)) return parsed;
        errors.Add(field, "must be a decimal number or a string holding one, such as \"19\"");
        return null;
    }

    private static DateOnly? DateValue(ValidationErrors errors, string field, JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.String && Json.DateConverter.TryParse(v.GetString(), out var day))
        {
            var before = errors.Count;
            BillingDate(errors, field, day);
            return errors.Count > before ? null : day;
        }
        errors.Add(field, "must be a date written yyyy-MM-dd, such as \"2026-11-12\"");
        return null;
    }

    public static IReadOnlyList<NewAccount> Accounts(AccountBatchRequest request)
    {
        var errors = new ValidationErrors();
        var list = request.Accounts;
        if (list is null || list.Count == 0) errors.Add("accounts", "at least one account is required");
        else if (list.Count > MaxBatch) errors.Add("accounts", $"at most {MaxBatch:N0} accounts per request; got {list.Count:N0}");
        ThrowIfAny(errors);
        var accounts = new List<NewAccount>(list!.Count);
        var refs = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var path = $"accounts[{i}]";
            if (Account(errors, path + ".", list[i]) is not { } account) continue;
            if (account.ExternalRef is { } reference && !refs.TryAdd(reference, i))
                errors.Add($"{path}.external_ref", $"'{reference}' is also used by accounts[{refs[reference]}]");
            accounts.Add(account);
        }
        ThrowIfAny(errors);
        return accounts;
    }

    public static IReadOnlyList<NewUsageRecord> Usage(UsageBatchRequest request, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        var list = request.Records;
        if (list is null || list.Count == 0) errors.Add("records", "at least one record is required");
        else if (list.Count > MaxBatch) errors.Add("records", $"at most {MaxBatch:N0} records per request; got {list.Count:N0} (the CLI sends batches of 1,000)");
        ThrowIfAny(errors);
        var records = new List<NewUsageRecord>(list!.Count);
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var path = $"records[{i}]";
            if (list[i] is not { } r)
            {
                errors.Add(path, "must be an object");
                continue;
            }
            var before = errors.Count;
            if (r.AccountId is null) errors.Add($"{path}.account_id", "is required");
            Text(errors, $"{path}.metric", r.Metric, 200);
            if (r.Quantity is not { } quantity) errors.Add($"{path}.quantity", "is required");
            else Amount(errors, $"{path}.quantity", quantity, allowNegative: false);
            if (r.OccurredAt is not { } at) errors.Add($"{path}.occurred_at", "is required");
            else if (at > now) errors.Add($"{path}.occurred_at", $"{at.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'} is in the future (now {now.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}); usage is recorded after it happens");
            else if (!BillingPeriod.TryParse(BillingPeriod.Of(at).ToString(), out _)) errors.Add($"{path}.occurred_at", "is outside any billable period");
            Text(errors, $"{path}.idempotency_key", r.IdempotencyKey, 200);
            if (errors.Count > before) continue;

            var record = new NewUsageRecord(r.AccountId!.Value, r.Metric!, r.Quantity!.Value, r.OccurredAt!.Value.ToUniversalTime(), r.IdempotencyKey!);
            if (keys.TryGetValue(record.IdempotencyKey, out var first))
            {
                // A resent record inside one batch counts once, like a resent batch; a different record under the same key is a mistake.
                if (!SameUsage(records[first], record))
                    errors.Add($"{path}.idempotency_key", $"'{record.IdempotencyKey}' is also the key of records[{first}], which has different values");
            }
            else keys[record.IdempotencyKey] = records.Count;
            records.Add(record);
        }
        ThrowIfAny(errors);
        return records;
    }

    public static NewCharge Charge(ChargeRequest request)
    {
        var errors = new ValidationErrors();
        Text(errors, "description", request.Description, 500);
        if (request.Quantity is not { } quantity) errors.Add("quantity", "is required");
        else if (quantity <= 0) errors.Add("quantity", "must be greater than 0");
        else Amount(errors, "quantity", quantity, allowNegative: false);
        if (request.UnitPrice is not { } price) errors.Add("unit_price", "is required");
        else Amount(errors, "unit_price", price, allowNegative: true);
        var period = Period(errors, "period", request.Period, required: true);
        if (request.IdempotencyKey is not null) Text(errors, "idempotency_key", request.IdempotencyKey, 200);
        ThrowIfAny(errors);
        return new NewCharge(request.Description!.Trim(), request.Quantity!.Value, request.UnitPrice!.Value, period!.Value, request.IdempotencyKey);
    }

    /// <summary>An optional <c>?period=</c> filter.</summary>
    public static BillingPeriod? OptionalPeriod(string? text)
    {
        var errors = new ValidationErrors();
        var period = Period(errors, "period", text, required: false);
        ThrowIfAny(errors);
        return period;
    }

    /// <summary><c>?limit=&amp;after=</c> of a keyset listing: limit 1–1000 (default 100), after an id from <c>next_after</c>.</summary>
    public static (int Limit, Guid? After) PageQuery(string? limit, string? after)
    {
        var errors = new ValidationErrors();
        var n = 100;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, null, out n) || n is < 1 or > 1000))
            errors.Add("limit", $"'{limit}' is not a whole number from 1 to 1000");
        Guid? afterId = null;
        if (after is not null)
        {
            if (Guid.TryParse(after, out var id)) afterId = id;
            else errors.Add("after", $"'{after}' is not an account id; pass the next_after of the previous page");
        }
        ThrowIfAny(errors);
        return (n, afterId);
    }

    public static void ThrowIfAny(ValidationErrors errors)
    {
        if (errors.IsValid) return;
        if (errors.Count <= MaxErrorsShown) throw new DomainValidationException(errors);
        var shown = errors.Take(MaxErrorsShown).ToList();
        shown.Add(new ValidationError("more_errors", $"{errors.Count - MaxErrorsShown} more problems not listed; fix these and resend"));
        throw new DomainValidationException(shown);
    }

    private static NewAccount? Account(ValidationErrors errors, string prefix, AccountRequest? r)
    {
        if (r is null)
        {
            errors.Add(prefix.TrimEnd('.'), "must be an object");
            return null;
        }
        var before = errors.Count;
        Text(errors, prefix + "name", r.Name, 200);
        // Any string is kept, even "" or "not-an-email": the mailer records such an address as invalid_address
        // when it sends, so the invoice still exists and the problem is visible there.
        if (r.BillingEmail is null) errors.Add(prefix + "billing_email", "is required (any string is stored; the mailer reports unusable addresses)");
        var address = Address(errors, prefix + "address", r.Address);
        if (r.Currency is not null && !Currencies.TryGet(r.Currency, out _))
            errors.Add(prefix + "currency", $"unknown currency '{r.Currency}'; expected an upper-case ISO 4217 code such as EUR or JPY");
        Text(errors, prefix + "plan", r.Plan, 200);
        var taxRate = r.TaxRate ?? 0m;
        if (taxRate is < 0 or >= 100) errors.Add(prefix + "tax_rate", "must be a percent from 0 to less than 100 (19 for 19 %)");
        else if (Money.DecimalPlaces(taxRate) > 4) errors.Add(prefix + "tax_rate", "must have at most 4 decimals");
        if (r.StripeCustomerId is not null) Text(errors, prefix + "stripe_customer_id", r.StripeCustomerId, 200);
        if (r.ExternalRef is not null) Text(errors, prefix + "external_ref", r.ExternalRef, 200);
        if (r.Issuer is not null) Code(errors, prefix + "issuer", r.Issuer, "issuer");
        BillingDate(errors, prefix + "billing_starts_on", r.BillingStartsOn);
        BillingDate(errors, prefix + "billing_ends_on", r.BillingEndsOn);
        if (r.BillingEndsOn is { } end && end < (r.BillingStartsOn ?? DateOnly.FromDateTime(DateTime.UtcNow)))
            errors.Add(prefix + "billing_ends_on", $"{end:yyyy-MM-dd} is before the billing start {(r.BillingStartsOn is { } s ? $"{s:yyyy-MM-dd}" : "(today)")}; the last day billed cannot precede the first");
        if (errors.Count > before) return null;
        return new NewAccount(r.Name!.Trim(), r.BillingEmail!, address!, r.Currency, r.Plan!.Trim(), taxRate,
            r.StripeCustomerId, r.ExternalRef, r.Issuer ?? "default", r.BillingStartsOn, r.BillingEndsOn);
    }

    private static Address? Address(ValidationErrors errors, string path, AddressRequest? a)
    {
        if (a is null)
        {
            errors.Add(path, "is required: {line1, line2?, city, postal_code, country}");
            return null;
        }
        var before = errors.Count;
        Text(errors, path + ".line1", a.Line1, 200);
        Text(errors, path + ".city", a.City, 200);
        // Some countries have no postal codes: "" is allowed, a missing field is not.
        if (a.PostalCode is null) errors.Add(path + ".postal_code", "is required (\"\" where the country has none)");
        if (a.Country is not { Length: 2 } country || !country.All(char.IsAsciiLetterUpper))
            errors.Add(path + ".country", a.Country is null ? "is required" : $"'{a.Country}' is not an ISO 3166-1 alpha-2 code such as DE or US");
        return errors.Count > before ? null
            : new Address(a.Line1!.Trim(), string.IsNullOrWhiteSpace(a.Line2) ? null : a.Line2.Trim(), a.City!.Trim(), a.PostalCode!.Trim(), a.Country!);
    }

    private static BillingPeriod? Period(ValidationErrors errors, string field, string? text, bool required)
    {
        if (text is null)
        {
            if (required) errors.Add(field, "is required, e.g. 2026-10");
            return null;
        }
        if (BillingPeriod.TryParse(text, out var period)) return period;
        errors.Add(field, $"'{text}' is not a period; expected yyyy-MM such as 2026-10");
        return null;
    }

    /// <summary>Billing dates stay inside the months a <see cref="BillingPeriod"/> can name.</summary>
    internal static void BillingDate(ValidationErrors errors, string field, DateOnly? day)
    {
        if (day is { Year: < 1900 or > 9998 } d) errors.Add(field, $"{d:yyyy-MM-dd} is outside the years 1900 to 9998");
    }

    private static void Amount(ValidationErrors errors, string field, decimal value, bool allowNegative)
    {
        if (!allowNegative && value < 0) errors.Add(field, "must not be negative");
        else if (Math.Abs(value) >= MaxMagnitude) errors.Add(field, "must be less than 10^18 in magnitude");
        else if (Money.DecimalPlaces(value) > Money.MaxPriceDecimals) errors.Add(field, $"must have at most {Money.MaxPriceDecimals} decimals");
    }

    private static void Text(ValidationErrors errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add(field, "is required");
        else if (value.Length > maxLength) errors.Add(field, $"must be at most {maxLength} characters");
    }

    // Codes appear in URLs (/api/plans/{code}) and invoice numbers: keep them to a plain alphabet, and never
    // shaped like a UUID, which the same URL would read as an id.
    private static void Code(ValidationErrors errors, string field, string? value, string what)
    {
        if (string.IsNullOrEmpty(value)) errors.Add(field, "is required");
        else if (value.Length > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            errors.Add(field, $"'{value}' is not a valid {what}: use at most 64 letters, digits, '-', '_' or '.'");
        else if (Guid.TryParse(value, out _)) errors.Add(field, $"a {what} must not look like a UUID");
    }

    private static bool SameUsage(NewUsageRecord a, NewUsageRecord b) =>
        a.AccountId == b.AccountId && a.Metric == b.Metric && a.Quantity == b.Quantity && a.OccurredAt == b.OccurredAt;
}
