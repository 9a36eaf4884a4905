namespace Billing.Errors.Tests;

public class When_errors_are_recorded
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryErrorStore _store = new();

    private (ErrorRecorder, AlertAggregator) Recorder(NoisePolicy? noise = null)
    {
        var alerts = new AlertAggregator(_time, new AlertOptions(), noise);
        return (new ErrorRecorder(_store, alerts, _time), alerts);
    }

    private static ErrorReport Report(string message = "missing currency", string type = "ValidationException") =>
        new("pdf-renderer", type, "missing_currency", message, InvoiceId: Guid.Parse("11111111-1111-1111-1111-111111111111"));

    [Fact]
    public async Task Counts_repeats_as_occurrences_of_one_error_and_alerts_once()
    {
        var (recorder, alerts) = Recorder();

        Assert.True((await recorder.RecordAsync(Report("missing currency (1)"))).IsNew);
        _time.Advance(TimeSpan.FromSeconds(1));
        var again = await recorder.RecordAsync(Report("missing currency (2)"));

        Assert.False(again.IsNew);
        Assert.Equal(2, again.Record.OccurrenceCount);
        Assert.Equal(_time.GetUtcNow(), again.Record.LastSeenAt);
        Assert.Equal("missing currency (1)", again.Record.Message);
        Assert.Single(_store.All);
        Assert.Equal(1, alerts.Pending);
    }

    [Fact]
    public async Task Stores_noise_but_does_not_alert()
    {
        var (recorder, alerts) = Recorder(new NoisePolicy(new NoiseOptions { ErrorTypes = ["OperationCanceledException"] }));

        await recorder.RecordAsync(Report(type: "OperationCanceledException"));

        Assert.Single(_store.All);
        Assert.Equal(0, alerts.Pending);
        Assert.Equal(1, alerts.NoiseSuppressed);
    }

    [Fact]
    public async Task Reopens_and_alerts_again_when_a_resolved_error_comes_back()
    {
        var (recorder, alerts) = Recorder();
        var first = await recorder.RecordAsync(Report());
        _store.Put(first.Record with { Status = ErrorStatus.Resolved, ResolvedAt = _time.GetUtcNow() });
        _time.Advance(TimeSpan.FromHours(1));

        var back = await recorder.RecordAsync(Report());

        Assert.True(back.IsNew);
        Assert.Equal(ErrorStatus.Open, back.Record.Status);
        Assert.Null(back.Record.ResolvedAt);
        Assert.Equal(2, back.Record.OccurrenceCount);
        Assert.Equal(2, alerts.Pending);
    }

    [Theory]
    [InlineData("", "ValidationException", "boom", "service is required")]
    [InlineData("mailer", " ", "boom", "error_type is required")]
    [InlineData("mailer", "SmtpException", "", "message is required")]
    public async Task Refuses_an_incomplete_report_and_stores_nothing(string service, string type, string message, string expected)
    {
        var (recorder, _) = Recorder();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => recorder.RecordAsync(new ErrorReport(service, type, "c", message)));
        Assert.Contains(expected, ex.Message);
        Assert.Empty(_store.All);
    }
}
