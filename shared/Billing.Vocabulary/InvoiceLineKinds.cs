namespace Billing.Vocabulary;

/// <summary>The kinds of invoice line, as stored in <c>invoice_lines.kind</c>.</summary>
public static class InvoiceLineKinds
{
    /// <summary>The plan's base fee (prorated when the account started or ended within the month).</summary>
    public const string BaseFee = "base_fee";

    /// <summary>Metered usage of one component.</summary>
    public const string Usage = "usage";

    /// <summary>Explains part of a usage line (a tier's units, a tier's flat fee, the packages): already inside its
    /// parent's amount, so never added to the subtotal, posted or sent to Stripe.</summary>
    public const string Tier = "tier";

    /// <summary>A one-off charge.</summary>
    public const string Charge = "charge";

    public static readonly IReadOnlyList<string> All = [BaseFee, Usage, Tier, Charge];

    public static bool IsKnown(string? kind) => kind is BaseFee or Usage or Tier or Charge;

    /// <summary>True for the lines that make up the subtotal (every kind but <see cref="Tier"/>).</summary>
    public static bool IsBillable(string kind) => kind != Tier;

    public static string UnknownMessage(string? kind) => $"unknown line kind '{kind}' (expected {string.Join(", ", All)})";
}
