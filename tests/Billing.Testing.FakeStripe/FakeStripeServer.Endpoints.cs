using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Billing.Testing.FakeStripe;

public sealed partial class FakeStripeServer
{
    private void MapEndpoints(WebApplication app)
    {
        app.MapPost("/v1/customers", (HttpRequest r) =>
        {
            var form = FormOf(r);
            var customer = _state.AddCustomer(Field(form, "name"), Field(form, "email"), Metadata(form));
            return Ok(FakeStripeJson.Customer(customer));
        });

        app.MapGet("/v1/customers/{id}", (string id) =>
            _state.FindCustomer(id) is { } c ? Ok(FakeStripeJson.Customer(c)) : Error(FakeStripeError.NoSuch("customer", id, "id")));

        app.MapPost("/v1/invoiceitems", (HttpRequest r) =>
        {
            var form = FormOf(r);
            if (Required(form, "customer", out var customer) is { } e1) return Error(e1);
            if (Required(form, "amount", out var amountText) is { } e2) return Error(e2);
            if (!long.TryParse(amountText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount))
                return Error(FakeStripeError.Invalid("amount", $"Invalid integer: {amountText}"));
            if (Currency(form) is { Error: { } e3 }) return Error(e3);
            // Stripe's special case: ISK has no minor unit but is still written in hundredths, so an amount must end in 00.
            if (Currency(form).Value == "isk" && amount % 100 != 0)
                return Error(FakeStripeError.Invalid("amount", $"Amounts in isk are whole krónur written in hundredths (5 ISK is 500); {amount} is not a multiple of 100."));
            var result = _state.AddItem(customer, Field(form, "invoice"), amount, Currency(form).Value!, Field(form, "description"), Metadata(form));
            return result.Error is { } e ? Error(e) : Ok(FakeStripeJson.Item(result.Value!));
        });

        app.MapPost("/v1/invoices", (HttpRequest r) =>
        {
            var form = FormOf(r);
            if (Required(form, "customer", out var customer) is { } e1) return Error(e1);
            if (Currency(form) is { Error: { } e2 }) return Error(e2);
            var collection = Field(form, "collection_method") ?? "charge_automatically";
            if (collection is not ("charge_automatically" or "send_invoice"))
                return Error(FakeStripeError.Invalid("collection_method", $"Invalid collection_method: {collection}"));
            long? daysUntilDue = null;
            if (Field(form, "days_until_due") is { } days)
            {
                if (!long.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var d))
                    return Error(FakeStripeError.Invalid("days_until_due", $"Invalid integer: {days}"));
                daysUntilDue = d;
            }
            long? dueDate = null;
            if (Field(form, "due_date") is { } due)
            {
                if (!long.TryParse(due, NumberStyles.None, CultureInfo.InvariantCulture, out var d))
                    return Error(FakeStripeError.Invalid("due_date", $"Invalid integer: {due}"));
                dueDate = d;
            }
            if (collection == "send_invoice" && daysUntilDue is null && dueDate is null)
                return Error(FakeStripeError.Invalid("days_until_due", "Invoices with collection_method send_invoice need days_until_due or due_date."));
            var pending = Field(form, "pending_invoice_items_behavior") ?? "exclude";
            if (pending is not ("exclude" or "include"))
                return Error(FakeStripeError.Invalid("pending_invoice_items_behavior", $"Invalid pending_invoice_items_behavior: {pending}"));
            var autoAdvance = Field(form, "auto_advance") is not "false";
            var result = _state.AddInvoice(customer, Currency(form).Value!, autoAdvance, collection, daysUntilDue, pending == "include", Metadata(form), dueDate);
            return result.Error is { } e ? Error(e) : Ok(InvoiceJson(result.Value!));
        });

        // Declared before /v1/invoices/{id}: a literal segment wins over a parameter anyway, but it reads clearer.
        app.MapGet("/v1/invoices/search", (HttpRequest r) => Search(r.Query));

        app.MapGet("/v1/invoices/{id}", (string id) =>
            _state.FindInvoice(id) is { } inv ? Ok(InvoiceJson(inv)) : Error(FakeStripeError.NoSuch("invoice", id, "id")));

        app.MapPost("/v1/invoices/{id}/finalize", (string id) =>
        {
            var result = _state.Finalize(id);
            return result.Error is { } e ? Error(e) : Ok(InvoiceJson(result.Value!));
        });

        // How this API version links a payment to the invoice it paid (charges no longer name an invoice).
        app.MapGet("/v1/invoice_payments", (HttpRequest r) => ListInvoicePayments(r.Query));

        MapCreditNoteEndpoints(app);

        app.MapFallback((HttpRequest r) => Error(new FakeStripeError(404, "invalid_request_error",
            $"Unrecognized request URL ({r.Method}: {r.Path}). The fake Stripe server implements only what Billing calls.")));
    }

    private IResult Search(IQueryCollection query)
    {
        var text = query["query"].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(text)) return Error(FakeStripeError.Missing("query"));
        var filter = FakeSearchQuery.TryParse(text);
        if (filter is null) return Error(FakeStripeError.Invalid("query", $"The search query is invalid or not supported here: {text}"));
        var limit = 10;
        if (query["limit"].FirstOrDefault() is { } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
            return Error(FakeStripeError.Invalid("limit", "limit must be an integer between 1 and 100."));
        var offset = 0;
        if (query["page"].FirstOrDefault() is { } p && (!p.StartsWith("page_", StringComparison.Ordinal)
            || !int.TryParse(p["page_".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out offset)))
            return Error(FakeStripeError.Invalid("page", $"Invalid page token: {p}"));

        // Stripe orders search results newest first; creation order keeps pages stable within one second.
        var matches = _state.Invoices.Reverse().Where(filter).ToList();
        var data = new JsonArray();
        foreach (var invoice in matches.Skip(offset).Take(limit)) data.Add(InvoiceJson(invoice));
        var hasMore = offset + limit < matches.Count;
        return Ok(new JsonObject
        {
            ["object"] = "search_result",
            ["url"] = "/v1/invoices/search",
            ["data"] = data,
            ["has_more"] = hasMore,
            ["next_page"] = hasMore ? $"page_{offset + limit}" : null,
            ["total_count"] = matches.Count,
        });
    }

    private IResult ListInvoicePayments(IQueryCollection query)
    {
        var type = query["payment[type]"].FirstOrDefault();
        var intent = query["payment[payment_intent]"].FirstOrDefault();
        var invoice = query["invoice"].FirstOrDefault();
        if (type is not null && type != "payment_intent")
            return Error(FakeStripeError.Invalid("payment[type]", $"Only payment_intent payments are supported here, got {type}."));
        if (type is not null && string.IsNullOrEmpty(intent)) return Error(FakeStripeError.Missing("payment[payment_intent]"));
        if (type is null && intent is not null) return Error(FakeStripeError.Missing("payment[type]"));
        var limit = 10;
        if (query["limit"].FirstOrDefault() is { } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
            return Error(FakeStripeError.Invalid("limit", "limit must be an integer between 1 and 100."));
        // Newest first, as Stripe lists; starting_after continues after the given id.
        var matches = _state.Payments.Reverse()
            .Where(p => (intent is null || p.PaymentIntent == intent) && (invoice is null || p.Invoice == invoice)).ToList();
        if (query["starting_after"].FirstOrDefault() is { } after)
        {
            var at = matches.FindIndex(p => p.Id == after);
            if (at < 0) return Error(FakeStripeError.Invalid("starting_after", $"No such invoice payment: '{after}'"));
            matches = matches.Skip(at + 1).ToList();
        }
        var data = new JsonArray();
        foreach (var p in matches.Take(limit))
        {
            data.Add(new JsonObject
            {
                ["id"] = p.Id,
                ["object"] = "invoice_payment",
                ["amount_paid"] = p.Amount,
                ["amount_requested"] = p.Amount,
                ["created"] = p.Created,
                ["currency"] = p.Currency,
                ["invoice"] = p.Invoice,
                ["is_default"] = true,
                ["livemode"] = false,
                ["payment"] = new JsonObject { ["type"] = "payment_intent", ["payment_intent"] = p.PaymentIntent },
                ["status"] = "paid",
                ["status_transitions"] = new JsonObject { ["canceled_at"] = null, ["paid_at"] = p.Created },
            });
        }
        return Ok(new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = matches.Count > limit, ["url"] = "/v1/invoice_payments" });
    }

    // The pipeline has already read the body; a request without a form body simply has no fields.
    private static IFormCollection FormOf(HttpRequest r) => r.HasFormContentType ? r.Form : FormCollection.Empty;

    private JsonObject InvoiceJson(FakeInvoice invoice) => FakeStripeJson.Invoice(invoice, _state.ItemsOf(invoice));

    private static string? Field(IFormCollection form, string name) => form.TryGetValue(name, out var v) ? v.FirstOrDefault() : null;

    private static FakeStripeError? Required(IFormCollection form, string name, out string value)
    {
        value = Field(form, name) ?? "";
        return value.Length == 0 ? FakeStripeError.Missing(name) : null;
    }

    private static OneOf<string> Currency(IFormCollection form)
    {
        var currency = Field(form, "currency");
        if (string.IsNullOrEmpty(currency)) return FakeStripeError.Missing("currency");
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower))
            return FakeStripeError.Invalid("currency", $"Invalid currency: {currency}. Stripe currencies are three lowercase letters.");
        return currency;
    }

    // metadata[key]=value, the bracket notation Stripe uses for nested parameters.
    private static Dictionary<string, string> Metadata(IFormCollection form)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in form)
        {
            if (key.Length > "metadata[]".Length && key.StartsWith("metadata[", StringComparison.Ordinal) && key.EndsWith(']'))
                metadata[key["metadata[".Length..^1]] = values.FirstOrDefault() ?? "";
        }
        return metadata;
    }

    private static IResult Ok(JsonObject body) => Results.Content(body.ToJsonString(), "application/json", Encoding.UTF8);

    private static IResult Error(FakeStripeError error) =>
        Results.Content(error.ToJson(), "application/json", Encoding.UTF8, error.Status);
}
