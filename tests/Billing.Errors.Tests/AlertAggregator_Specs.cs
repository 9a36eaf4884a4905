using System.Text.RegularExpressions;

namespace Billing.Errors.Tests;

public class When_new_errors_arrive_within_one_window
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _time = new(Start);

    private static Guid Invoice(int n) => new($"00000000-0000-0000-0000-{n:000000000000}");

    private static ErrorReport Fault(int invoice, string service = "pdf-renderer", string type = "ValidationException",
        string code = "MassTransit fault", string? trace = null) =>
        new(service, type, code, "missing currency", InvoiceId: Invoice(invoice), TraceId: trace);

    private AlertAggregator Aggregator(int max = 5, string? traceUi = null, NoisePolicy? noise = null) =>
        new(_time, new AlertOptions { Window = TimeSpan.FromSeconds(30), MaxMessagesPerWindow = max, TraceUiUrl = traceUi }, noise);

    private static int LeadingCount(string message) => int.Parse(Regex.Match(message, "^[0-9]+").Value);

    [Fact]
    public void Posts_one_counted_message_for_fifty_errors_of_one_cause()
    {
        var alerts = Aggregator();
        for (var i = 1; i <= 50; i++) alerts.Add(Fault(i));
        _time.Advance(TimeSpan.FromSeconds(30));

        var message = Assert.Single(alerts.Flush());
        Assert.Equal(
            "50 new: MassTransit fault in pdf-renderer — ValidationException: missing currency " +
            $"(invoices: {Invoice(1)}, {Invoice(2)}, {Invoice(3)} … and 47 more)",
            message);
    }

    [Fact]
    public void Holds_messages_until_the_window_has_passed()
    {
        var alerts = Aggregator();
        alerts.Add(Fault(1));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(alerts.IsDue);
        Assert.Empty(alerts.Flush());
        Assert.Equal(1, alerts.Pending);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(alerts.IsDue);
        Assert.Single(alerts.Flush());
        Assert.Equal(0, alerts.Pending);
        Assert.Empty(alerts.Flush(force: true));
    }

    [Fact]
    public void Posts_a_storm_of_ten_thousand_as_at_most_the_cap_with_counts_adding_up()
    {
        var alerts = Aggregator(max: 5);
        var services = new[] { "pdf-renderer", "mailer", "accounting-sync", "invoice-generator" };
        for (var i = 0; i < 10_000; i++)
            alerts.Add(Fault(i, services[i % services.Length], code: $"code_{i % 40}"));
        _time.Advance(TimeSpan.FromSeconds(30));

        var messages = alerts.Flush();
        Assert.InRange(messages.Count, 1, 5);
        Assert.Equal(10_000, messages.Sum(LeadingCount));
        Assert.Matches("^[0-9]+ new in [0-9]+ other causes: ", messages[^1]);
    }

    [Fact]
    public void Posts_a_single_summary_when_the_cap_is_one()
    {
        var alerts = Aggregator(max: 1);
        for (var i = 0; i < 300; i++) alerts.Add(Fault(i, code: $"code_{i % 3}"));
        _time.Advance(TimeSpan.FromSeconds(30));

        var message = Assert.Single(alerts.Flush());
        Assert.StartsWith("300 new in 3 causes: pdf-renderer ValidationException/code_0 ×100", message);
    }

    [Fact]
    public void Keeps_every_error_counted_past_the_group_limit()
    {
        var alerts = Aggregator(max: 3);
        var total = AlertAggregator.MaxGroups + 250;
        for (var i = 0; i < total; i++) alerts.Add(Fault(i, code: $"code_{i}"));
        _time.Advance(TimeSpan.FromSeconds(30));

        var messages = alerts.Flush();
        Assert.Equal(3, messages.Count);
        Assert.Equal(total, messages.Sum(LeadingCount));
    }

    [Fact]
    public void Groups_by_service_type_and_code_biggest_first()
    {
        var alerts = Aggregator();
        alerts.Add(Fault(1, service: "mailer", type: "SmtpException", code: "smtp_down"));
        alerts.Add(Fault(2));
        alerts.Add(Fault(3));
        _time.Advance(TimeSpan.FromSeconds(30));

        var messages = alerts.Flush();
        Assert.Equal(2, messages.Count);
        Assert.StartsWith("2 new: MassTransit fault in pdf-renderer", messages[0]);
        Assert.Equal($"1 new: smtp_down in mailer — SmtpException: missing currency (invoices: {Invoice(1)})", messages[1]);
    }

    [Fact]
    public void Counts_the_repeats_of_a_new_group_into_its_one_alert_and_never_alerts_it_twice()
    {
        var alerts = Aggregator();
        var first = Fault(1);
        var fingerprint = Fingerprint.For(first);
        alerts.Add(first, fingerprint, errorId: 12);
        for (var i = 2; i <= 219; i++) Assert.True(alerts.AddRepeat(Fault(i), fingerprint, Start, errorId: 12));
        _time.Advance(TimeSpan.FromSeconds(30));

        var message = Assert.Single(alerts.Flush());
        Assert.StartsWith("219 new: MassTransit fault in pdf-renderer — ValidationException: missing currency", message);
        Assert.Contains("… and 216 more", message);
        Assert.EndsWith(" — billing errors show 12", message);

        // Later repeats of the alerted group, and repeats of an old group, alert nothing.
        Assert.False(alerts.AddRepeat(Fault(300), fingerprint, Start, errorId: 12));
        var old = Fault(1, code: "old_cause");
        Assert.False(alerts.AddRepeat(old, Fingerprint.For(old), Start.AddDays(-3)));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Empty(alerts.Flush(force: true));
    }

    [Fact]
    public void Counts_a_repeat_that_overtook_the_first_report_of_its_group()
    {
        var alerts = Aggregator();
        var report = Fault(2);
        var fingerprint = Fingerprint.For(report);
        // A concurrent consumer recorded the second occurrence before the first one reached the aggregator.
        Assert.True(alerts.AddRepeat(report, fingerprint, Start));
        alerts.Add(Fault(1), fingerprint);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.StartsWith("2 new: ", Assert.Single(alerts.Flush()));
    }

    [Fact]
    public void Links_to_the_trace_ui_when_configured()
    {
        var alerts = Aggregator(traceUi: "http://jaeger.local:16686/");
        alerts.Add(Fault(1, trace: "4bf92f3577b34da6a3ce929d0e0e4736"));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.EndsWith(" — trace: http://jaeger.local:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736", Assert.Single(alerts.Flush()));
    }

    [Fact]
    public void Links_through_the_trace_link_template_when_it_is_one()
    {
        var alerts = Aggregator(traceUi: "http://127.0.0.1:18888/traces/detail/{trace_id}");
        alerts.Add(Fault(1, trace: "4bf92f3577b34da6a3ce929d0e0e4736"));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.EndsWith(" — trace: http://127.0.0.1:18888/traces/detail/4bf92f3577b34da6a3ce929d0e0e4736", Assert.Single(alerts.Flush()));
    }

    [Fact]
    public void Escapes_chat_markup_in_error_text()
    {
        var alerts = Aggregator();
        alerts.Add(new ErrorReport("mailer", "SmtpException", "", "bad address <!channel> & co", BusinessKey: "mail:<x>"));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal("1 new in mailer — SmtpException: bad address &lt;!channel&gt; &amp; co (keys: mail:&lt;x&gt;)",
            Assert.Single(alerts.Flush()));
    }

    [Fact]
    public void Counts_noise_without_alerting_on_it()
    {
        var noise = new NoisePolicy(new NoiseOptions { ErrorTypes = ["OperationCanceledException"], Codes = ["stripe_rate_limited"] });
        var alerts = Aggregator(noise: noise);

        Assert.False(alerts.Add(Fault(1, type: "OperationCanceledException")));
        Assert.False(alerts.Add(Fault(2, code: "stripe_rate_limited")));
        Assert.True(alerts.Add(Fault(3)));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(2, alerts.NoiseSuppressed);
        Assert.StartsWith("1 new: MassTransit fault", Assert.Single(alerts.Flush()));
    }

    [Fact]
    public async Task Flushes_into_the_outbox()
    {
        var alerts = Aggregator();
        var outbox = new InMemoryAlertOutbox(_time);
        alerts.Add(Fault(1));

        Assert.Equal(0, await alerts.FlushToAsync(outbox));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await alerts.FlushToAsync(outbox));
        Assert.Equal(AlertKinds.NewErrors, Assert.Single(outbox.All).Kind);
    }

    [Theory]
    [InlineData(0, 5, null, "Alerts__Window")]
    [InlineData(30, 0, null, "Alerts__MaxMessagesPerWindow")]
    [InlineData(30, 5, "jaeger:16686", "Alerts__TraceUiUrl")]
    public void Refuses_bad_options_naming_the_setting(int windowSeconds, int max, string? traceUi, string setting)
    {
        var options = new AlertOptions { Window = TimeSpan.FromSeconds(windowSeconds), MaxMessagesPerWindow = max, TraceUiUrl = traceUi };
        var ex = Assert.Throws<ArgumentException>(() => new AlertAggregator(_time, options));
        Assert.Contains(setting, ex.Message);
    }
}

public class When_a_noise_policy_is_configured
{
    [Fact]
    public void Matches_types_codes_and_pairs_exactly()
    {
        var noise = new NoisePolicy(new NoiseOptions { ErrorTypes = ["TaskCanceledException"], Codes = ["card_declined"], Pairs = ["HttpRequestException:timeout"] });

        Assert.True(noise.IsNoise("TaskCanceledException", "x"));
        Assert.True(noise.IsNoise("StripeException", "card_declined"));
        Assert.True(noise.IsNoise("HttpRequestException", "timeout"));
        Assert.False(noise.IsNoise("SocketException", "timeout"));
        Assert.False(noise.IsNoise("taskcanceledexception", "x"));
        Assert.False(noise.IsNoise("ValidationException", ""));
    }
}
