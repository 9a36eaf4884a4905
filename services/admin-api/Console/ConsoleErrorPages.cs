namespace Billing.AdminApi.OperatorConsole;

/// <summary>The console's pages for: The revenue-impacting error log and reconciliation.</summary>
public static class ConsoleErrorPages
{
    public static void Map(RouteGroupBuilder read, RouteGroupBuilder write)
    {
    }
}
