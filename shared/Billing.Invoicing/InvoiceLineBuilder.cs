namespace Billing.Invoicing;

/// <summary>Numbers lines from 1 in the order they are added, as <c>invoice_lines.line_no</c>.</summary>
internal sealed class InvoiceLineBuilder(int exponent)
{
    private readonly List<InvoiceLine> _lines = [];

    public int Exponent => exponent;

    public IReadOnlyList<InvoiceLine> Lines => _lines;

    public int Add(string kind, string? component, string description, decimal quantity, decimal unitPrice,
        long amountMinor, int? parentLineNo = null)
    {
        var lineNo = _lines.Count + 1;
        _lines.Add(new InvoiceLine(lineNo, kind, component, description, quantity, unitPrice, amountMinor, parentLineNo));
        return lineNo;
    }

    public long Round(ExactDecimal amount, string field) =>
        InvoiceCalculator.Checked(() => Money.ToMinor(amount, exponent), field);
}
