namespace Billing.Foundation.Tests;

public static class Services
{
    /// <summary>(folder under services/, entry assembly) of every deployable service.</summary>
    public static readonly (string Folder, string Assembly)[] All =
    [
        ("invoice-generator", "Billing.InvoiceGenerator"),
        ("pdf-renderer", "Billing.PdfRenderer"),
        ("mailer", "Billing.Mailer"),
        ("accounting-sync", "Billing.AccountingSync"),
        ("redrive", "Billing.Redrive.Service"),
        ("admin-api", "Billing.AdminApi"),
    ];

    public static TheoryData<string, string> AllData()
    {
        var data = new TheoryData<string, string>();
        foreach (var (f, a) in All) data.Add(f, a);
        return data;
    }
}
