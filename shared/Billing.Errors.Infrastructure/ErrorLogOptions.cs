using System.Globalization;
using Billing.Errors;

namespace Billing.Errors.Infrastructure;

/// <summary>How the error log watches and reports (configuration section "ErrorLog").</summary>
public sealed class ErrorLogOptions
{
    public const string Section = "ErrorLog";

    /// <summary>A running invoice run with no activity for this long is reported as stalled.</summary>
    public TimeSpan StalledRunAfter { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan StalledRunCheckEvery { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Error types that are recorded and counted but never alerted, ';'-separated.</summary>
    public string NoiseErrorTypes { get; set; } = "";

    /// <summary>Codes that are recorded and counted but never alerted, ';'-separated.</summary>
    public string NoiseCodes { get; set; } = "";

    /// <summary>"HH:mm" UTC: when the daily summary is posted (the weekly one too, on its day).</summary>
    public string DailySummaryAtUtc { get; set; } = "08:00";

    public DayOfWeek WeeklySummaryDay { get; set; } = DayOfWeek.Monday;

    /// <summary>How often grouped alerts are flushed to the outbox and the outbox is delivered.</summary>
    public TimeSpan AlertLoopEvery { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan SummaryCheckEvery { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often groups whose failed stage has gone through are looked for and resolved.</summary>
    public TimeSpan AutoResolveEvery { get; set; } = TimeSpan.FromSeconds(15);

    public TimeOnly DailyAt => TimeOnly.ParseExact(DailySummaryAtUtc, "HH:mm", CultureInfo.InvariantCulture);

    public NoisePolicy Noise => new(new NoiseOptions { ErrorTypes = Split(NoiseErrorTypes), Codes = Split(NoiseCodes) });

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (StalledRunAfter <= TimeSpan.Zero) errors.Add($"ErrorLog__StalledRunAfter must be positive, got {StalledRunAfter}");
        if (StalledRunCheckEvery <= TimeSpan.Zero) errors.Add($"ErrorLog__StalledRunCheckEvery must be positive, got {StalledRunCheckEvery}");
        if (AlertLoopEvery <= TimeSpan.Zero) errors.Add($"ErrorLog__AlertLoopEvery must be positive, got {AlertLoopEvery}");
        if (AutoResolveEvery <= TimeSpan.Zero) errors.Add($"ErrorLog__AutoResolveEvery must be positive, got {AutoResolveEvery}");
        if (SummaryCheckEvery <= TimeSpan.Zero) errors.Add($"ErrorLog__SummaryCheckEvery must be positive, got {SummaryCheckEvery}");
        if (!TimeOnly.TryParseExact(DailySummaryAtUtc, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            errors.Add($"ErrorLog__DailySummaryAtUtc must be a time of day as HH:mm (UTC), got '{DailySummaryAtUtc}'");
        if (!Enum.IsDefined(WeeklySummaryDay)) errors.Add($"ErrorLog__WeeklySummaryDay must be a day name such as Monday, got '{WeeklySummaryDay}'");
        return errors;
    }

    private static List<string> Split(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
