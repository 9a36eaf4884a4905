using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Billing.AccountingSync.Reconciliation;

public sealed class ReconcileOptions
{
    public const string Section = "Reconcile";

    /// <summary>UTC time of day of the daily run, HH:mm.</summary>
    [Required]
    public string DailyAtUtc { get; set; } = "06:00";

    /// <summary>Also run once right after start (after a deploy, or to check a fix).</summary>
    public bool RunOnStart { get; set; }

    /// <summary>How often the loop looks at the clock.</summary>
    [Range(1, 3600)]
    public int CheckIntervalSeconds { get; set; } = 30;

    public TimeOnly TimeOfDay => TimeOnly.ParseExact(DailyAtUtc, "HH:mm", CultureInfo.InvariantCulture);

    public static bool IsValidTime(string? value) =>
        TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>The first daily run strictly after <paramref name="now"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset now)
    {
        var today = new DateTimeOffset(DateOnly.FromDateTime(now.UtcDateTime).ToDateTime(TimeOfDay), TimeSpan.Zero);
        return today > now ? today : today.AddDays(1);
    }
}
