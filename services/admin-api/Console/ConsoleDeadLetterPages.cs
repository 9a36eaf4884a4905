namespace Billing.AdminApi.OperatorConsole;

/// <summary>The console's pages for: Dead-letter queues, their messages and redrives.</summary>
public static class ConsoleDeadLetterPages
{
    public static void Map(RouteGroupBuilder read, RouteGroupBuilder write)
    {
    }
}
