namespace Billing.Errors;

/// <summary>Values of <c>chat_alert_outbox.kind</c>: what produced a message, for filtering and metrics.</summary>
public static class AlertKinds
{
    public const string NewErrors = "new_errors";
    public const string DailySummary = "daily_summary";
    public const string WeeklySummary = "weekly_summary";
    public const string RunStarted = "run_started";
    public const string RunCompleted = "run_completed";
}
