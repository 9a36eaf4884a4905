using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Billing.Testing.FakeStripe;

public sealed partial class FakeStripeServer
{
    public IReadOnlyList<FakeCreditNote> CreditNotes => _state.CreditNotes;

    // POST /v1/credit_notes (lines[i][unit_amount] × lines[i][quantity], or amount) and POST /v1/invoices/{id}/void.
    private void MapCreditNoteEndpoints(WebApplication app)
    {
        app.MapPost("/v1/credit_notes", (HttpRequest r) =>
        {
            var form = FormOf(r);
            if (Required(form, "invoice", out var invoice) is { } e1) return Error(e1);
            long amount = 0;
            if (Field(form, "amount") is { } a)
            {
                if (!long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out amount)) return Error(FakeStripeError.Invalid("amount", $"Invalid integer: {a}"));
            }
            for (var i = 0; Field(form, $"lines[{i}][type]") is { } type; i++)
            {
                if (type != "custom_line_item") return Error(FakeStripeError.Invalid($"lines[{i}][type]", $"Only custom_line_item is supported here, got {type}."));
                var unit = Field(form, $"lines[{i}][unit_amount]");
                var quantity = Field(form, $"lines[{i}][quantity]") ?? "1";
                if (!long.TryParse(unit, NumberStyles.None, CultureInfo.InvariantCulture, out var u))
                    return Error(FakeStripeError.Invalid($"lines[{i}][unit_amount]", $"Invalid integer: {unit}"));
                if (!long.TryParse(quantity, NumberStyles.None, CultureInfo.InvariantCulture, out var q))
                    return Error(FakeStripeError.Invalid($"lines[{i}][quantity]", $"Invalid integer: {quantity}"));
                amount += u * q;
            }
            long credit = 0;
            if (Field(form, "credit_amount") is { } c && !long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out credit))
                return Error(FakeStripeError.Invalid("credit_amount", $"Invalid integer: {c}"));
            var result = _state.AddCreditNote(invoice, amount, credit, Field(form, "memo"), Metadata(form));
            return result.Error is { } e ? Error(e) : Ok(CreditNoteJson(result.Value!));
        });

        app.MapPost("/v1/invoices/{id}/void", (string id) =>
        {
            var result = _state.Void(id);
            return result.Error is { } e ? Error(e) : Ok(InvoiceJson(result.Value!));
        });
    }

    private static JsonObject CreditNoteJson(FakeCreditNote c)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in c.Metadata) metadata[key] = value;
        return new JsonObject
        {
            ["id"] = c.Id,
            ["object"] = "credit_note",
            ["invoice"] = c.Invoice,
            ["amount"] = c.Amount,
            ["total"] = c.Amount,
            ["credit_amount"] = c.CreditAmount,
            ["pre_payment_amount"] = c.Amount - c.CreditAmount,
            ["memo"] = c.Memo,
            ["status"] = "issued",
            ["metadata"] = metadata,
            ["created"] = c.Created,
            ["livemode"] = false,
        };
    }
}
