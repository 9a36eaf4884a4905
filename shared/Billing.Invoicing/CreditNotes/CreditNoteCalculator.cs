namespace Billing.Invoicing.CreditNotes;

/// <summary>
/// How much a credit note gives back, exactly, in minor units. The rule, for both ways of asking:
/// <list type="bullet">
/// <item><b>Lines</b> are net of tax, like invoice lines: each amount is round(quantity × unit price), the subtotal
/// their sum, the tax round(subtotal × the invoice's tax rate) — all half away from zero — but never more tax than
/// the invoice has left to give back. The subtotal must fit in the invoice's net amount not yet credited.</item>
/// <item><b>An amount</b> is what the customer gets back, tax included. Its tax part is the invoice's tax share of
/// it, round(amount × invoice tax / invoice total), kept within what is left: at least amount − net left (so the net
/// part never exceeds the invoice's net left) and at most the tax left. A credit note that completes the invoice
/// therefore gives back exactly the tax left, and credit notes that add up to the invoice give back exactly its
/// tax: no minor unit is lost or invented across partial credits.</item>
/// </list>
/// The credited total never exceeds the invoice total; asking for more is a <see cref="CreditBeyondInvoiceException"/>.
/// </summary>
public static class CreditNoteCalculator
{
    public const int MaxLines = 100;

    public static ComputedCreditNote FromLines(InvoiceCreditState invoice, IReadOnlyList<(string Description, decimal Quantity, decimal UnitPrice)> lines)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var exponent = InvoiceCurrency.Get(invoice.Currency).Exponent;
        var errors = new List<ValidationError>();
        if (lines.Count == 0) errors.Add(new("lines", "needs at least one line"));
        if (lines.Count > MaxLines) errors.Add(new("lines", $"has {lines.Count} lines; at most {MaxLines}"));
        var computed = new List<CreditNoteLine>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var (description, quantity, unitPrice) = lines[i];
            var field = $"lines[{i}]";
            if (string.IsNullOrWhiteSpace(description)) errors.Add(new($"{field}.description", "is required"));
            else if (description.Length > 500) errors.Add(new($"{field}.description", "is longer than 500 characters"));
            if (quantity <= 0) errors.Add(new($"{field}.quantity", $"must be positive, got {quantity}"));
            if (unitPrice <= 0) errors.Add(new($"{field}.unit_price", $"must be positive, got {unitPrice}"));
            else if (Money.DecimalPlaces(unitPrice) > Money.MaxPriceDecimals)
                errors.Add(new($"{field}.unit_price", $"has more than {Money.MaxPriceDecimals} decimals"));
            if (quantity <= 0 || unitPrice <= 0) continue;
            long amount;
            try
            {
                amount = Money.MultiplyToMinor(quantity, unitPrice, exponent);
            }
            catch (OverflowException)
            {
                errors.Add(new(field, "quantity × unit price is too large"));
                continue;
            }
            if (amount <= 0)
                errors.Add(new(field, $"quantity × unit price comes to less than one minor unit of {invoice.Currency}"));
            computed.Add(new CreditNoteLine(i + 1, description?.Trim() ?? "", quantity, unitPrice, amount));
        }
        if (errors.Count > 0) throw new DomainValidationException(errors);

        long subtotal;
        try
        {
            subtotal = checked(computed.Sum(l => l.AmountMinor));
        }
        catch (OverflowException)
        {
            throw new DomainValidationException("lines", "the lines add up to more than an amount can hold");
        }
        if (subtotal > invoice.RemainingSubtotalMinor)
            throw new CreditBeyondInvoiceException("lines",
                $"the lines come to {Format(subtotal, invoice)} before tax, but only {Format(Math.Max(0, invoice.RemainingSubtotalMinor), invoice)} "
                + $"of invoice {invoice.Number} is left to credit before tax ({Format(Math.Max(0, invoice.RemainingTotalMinor), invoice)} with tax)",
                Math.Max(0, invoice.RemainingTotalMinor));
        var tax = Math.Clamp(Money.PercentOf(subtotal, invoice.TaxRatePercent), 0, Math.Max(0, invoice.RemainingTaxMinor));
        return new ComputedCreditNote(computed, subtotal, tax, subtotal + tax);
    }

    public static ComputedCreditNote FromAmount(InvoiceCreditState invoice, long amountMinor, string description)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var exponent = InvoiceCurrency.Get(invoice.Currency).Exponent;
        if (amountMinor <= 0) throw new DomainValidationException("amount_minor", $"must be positive, got {amountMinor}");
        if (amountMinor > invoice.RemainingTotalMinor)
            throw new CreditBeyondInvoiceException("amount",
                $"{Format(amountMinor, invoice)} is more than the {Format(Math.Max(0, invoice.RemainingTotalMinor), invoice)} "
                + $"left to credit on invoice {invoice.Number} (total {Format(invoice.TotalMinor, invoice)}, credited {Format(invoice.CreditedTotalMinor, invoice)})",
                Math.Max(0, invoice.RemainingTotalMinor));
        var share = invoice.TotalMinor == 0 ? 0 : DivideHalfAwayFromZero((Int128)amountMinor * invoice.TaxMinor, invoice.TotalMinor);
        var tax = Math.Clamp(share, Math.Max(0, amountMinor - invoice.RemainingSubtotalMinor), Math.Max(0, invoice.RemainingTaxMinor));
        var net = amountMinor - tax;
        var line = new CreditNoteLine(1, description, 1, Money.ToMajor(net, exponent), net);
        return new ComputedCreditNote([line], net, tax, amountMinor);
    }

    /// <summary>numerator / denominator rounded half away from zero (128-bit: amount × tax cannot overflow).</summary>
    public static long DivideHalfAwayFromZero(Int128 numerator, Int128 denominator)
    {
        if (denominator < 0) (numerator, denominator) = (-numerator, -denominator);
        var (q, r) = Int128.DivRem(numerator, denominator);
        if (Int128.Abs(r) * 2 >= denominator) q += Int128.Sign(numerator);
        return checked((long)q);
    }

    private static string Format(long minor, InvoiceCreditState invoice) => MoneyText.Format(minor, invoice.Currency);
}
