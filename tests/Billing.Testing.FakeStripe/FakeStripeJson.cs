using System.Text.Json.Nodes;

namespace Billing.Testing.FakeStripe;

/// <summary>Objects written as Stripe writes them: snake_case, an "object" field, unix times.</summary>
internal static class FakeStripeJson
{
    public static JsonObject Customer(FakeCustomer c) => new()
    {
        ["id"] = c.Id,
        ["object"] = "customer",
        ["name"] = c.Name,
        ["email"] = c.Email,
        ["metadata"] = Metadata(c.Metadata),
        ["created"] = c.Created,
        ["livemode"] = false,
    };

    public static JsonObject Item(FakeInvoiceItem i) => new()
    {
        ["id"] = i.Id,
        ["object"] = "invoiceitem",
        ["customer"] = i.Customer,
        ["invoice"] = i.Invoice,
        ["amount"] = i.Amount,
        ["currency"] = i.Currency,
        ["description"] = i.Description,
        ["metadata"] = Metadata(i.Metadata),
        ["date"] = i.Created,
        ["livemode"] = false,
    };

    public static JsonObject Invoice(FakeInvoice inv, IReadOnlyList<FakeInvoiceItem> items)
    {
        var lines = new JsonArray();
        foreach (var item in items)
        {
            lines.Add(new JsonObject
            {
                ["id"] = "il_" + item.Id[3..],
                ["object"] = "line_item",
                ["amount"] = item.Amount,
                ["currency"] = item.Currency,
                ["description"] = item.Description,
                ["invoice_item"] = item.Id,
                ["metadata"] = Metadata(item.Metadata),
            });
        }
        return new JsonObject
        {
            ["id"] = inv.Id,
            ["object"] = "invoice",
            ["customer"] = inv.Customer,
            ["status"] = inv.Status,
            ["currency"] = inv.Currency,
            ["subtotal"] = inv.Total,
            ["total"] = inv.Total,
            ["amount_due"] = inv.AmountDue,
            ["amount_paid"] = inv.Status == "paid" ? inv.Total : 0,
            ["amount_remaining"] = inv.AmountDue,
            ["metadata"] = Metadata(inv.Metadata),
            ["number"] = inv.Number,
            ["auto_advance"] = inv.AutoAdvance,
            ["collection_method"] = inv.CollectionMethod,
            ["days_until_due"] = inv.DaysUntilDue,
            ["due_date"] = inv.DueDate,
            ["created"] = inv.Created,
            ["livemode"] = false,
            ["lines"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = lines,
                ["has_more"] = false,
                ["total_count"] = items.Count,
                ["url"] = $"/v1/invoices/{inv.Id}/lines",
            },
        };
    }

    private static JsonObject Metadata(IReadOnlyDictionary<string, string> metadata)
    {
        var json = new JsonObject();
        foreach (var (key, value) in metadata) json[key] = value;
        return json;
    }
}
