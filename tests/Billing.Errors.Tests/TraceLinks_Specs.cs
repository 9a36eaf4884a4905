using Billing.Errors;

namespace Billing.Errors.Tests;

public class When_trace_links_are_configured
{
    private static Func<string, string?> Settings(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void The_one_setting_is_a_template_with_the_trace_id()
    {
        var links = TraceLinks.From(Settings(("BILLING_TRACE_UI_URL", " http://127.0.0.1:18888/traces/detail/{trace_id} ")));

        Assert.Equal("http://127.0.0.1:18888/traces/detail/4bf92f3577b34da6a3ce929d0e0e4736", links.For("4bf92f3577b34da6a3ce929d0e0e4736"));
        Assert.Null(links.For(null));
        Assert.Null(links.For(" "));
    }

    [Fact]
    public void It_wins_over_the_former_base_url_settings_which_are_read_when_it_is_unset()
    {
        var both = TraceLinks.From(Settings(("BILLING_TRACE_UI_URL", "http://ui.test/t/{trace_id}"), ("Chat__TraceUiUrl", "http://jaeger.test:16686")));
        Assert.Equal("http://ui.test/t/abc", both.For("abc"));

        var chat = TraceLinks.From(Settings(("Chat__TraceUiUrl", "http://jaeger.test:16686/")));
        Assert.Equal("http://jaeger.test:16686/trace/abc", chat.For("abc"));

        var alerts = TraceLinks.From(Settings(("Alerts__TraceUiUrl", "http://alerts.test"), ("Chat__TraceUiUrl", "http://chat.test")));
        Assert.Equal("http://alerts.test/trace/abc", alerts.For("abc"));
    }

    [Fact]
    public void Unset_makes_no_links()
    {
        var links = TraceLinks.From(Settings());

        Assert.Null(links.Template);
        Assert.Null(links.For("4bf92f3577b34da6a3ce929d0e0e4736"));
    }

    [Theory]
    [InlineData("BILLING_TRACE_UI_URL", "http://127.0.0.1:18888/traces/detail/", "BILLING_TRACE_UI_URL 'http://127.0.0.1:18888/traces/detail/' has no {trace_id} placeholder")]
    [InlineData("BILLING_TRACE_UI_URL", "127.0.0.1:18888/traces/detail/{trace_id}", "BILLING_TRACE_UI_URL '127.0.0.1:18888/traces/detail/{trace_id}' is not an absolute http or https URL")]
    [InlineData("Chat__TraceUiUrl", "jaeger:16686", "Chat__TraceUiUrl 'jaeger:16686/trace/{trace_id}' is not an absolute http or https URL")]
    public void A_malformed_value_is_refused_naming_its_setting(string setting, string value, string message)
    {
        var ex = Assert.Throws<FormatException>(() => TraceLinks.From(Settings((setting, value))));

        Assert.StartsWith(message, ex.Message);
    }
}
