namespace Billing.Invoicing;

/// <summary>Values of <c>invoice_lines.kind</c>.</summary>
public static class InvoiceLineKinds
{
    public const string BaseFee = "base_fee";
    public const string Usage = "usage";

    /// <summary>Explains part of a usage line (a tier's units, a tier's flat fee, the packages); never added to the subtotal.</summary>
    public const string Tier = "tier";

    public const string Charge = "charge";

    public static bool IsBillable(string kind) => kind != Tier;
}
