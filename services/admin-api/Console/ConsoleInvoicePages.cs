namespace Billing.AdminApi.OperatorConsole;

/// <summary>The console's pages for: Invoices and accounts.</summary>
public static class ConsoleInvoicePages
{
    public static void Map(RouteGroupBuilder read, RouteGroupBuilder write)
    {
    }
}
