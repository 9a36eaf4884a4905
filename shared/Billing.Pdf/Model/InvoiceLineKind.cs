namespace Billing.Pdf;

public enum InvoiceLineKind
{
    BaseFee,
    Usage,
    Tier,
    Charge,
}

/// <summary>Maps the database spelling (invoice_lines.kind) to <see cref="InvoiceLineKind"/>.</summary>
public static class InvoiceLineKinds
{
    public static InvoiceLineKind Parse(string kind) => kind switch
    {
        "base_fee" => InvoiceLineKind.BaseFee,
        "usage" => InvoiceLineKind.Usage,
        "tier" => InvoiceLineKind.Tier,
        "charge" => InvoiceLineKind.Charge,
        _ => throw new InvoiceDocumentException("Lines.Kind", $"unknown line kind '{kind}' (expected base_fee, usage, tier or charge)"),
    };
}
