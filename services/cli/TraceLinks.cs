namespace Billing.Cli;

/// <summary>
/// Links to a trace UI from <c>BILLING_TRACE_UI_URL</c>, a URL template with <c>{trace_id}</c> (Jaeger:
/// <c>http://localhost:16686/trace/{trace_id}</c>; Grafana Tempo, Zipkin, Honeycomb work the same way). Unset: no links.
/// </summary>
public sealed class TraceLinks
{
    public const string Setting = "BILLING_TRACE_UI_URL";
    public const string Placeholder = "{trace_id}";

    private readonly string? _template;

    private TraceLinks(string? template) => _template = template;

    /// <summary>The links of the environment's setting; a malformed setting is a <see cref="CliException"/> naming it (exit code 2).</summary>
    public static TraceLinks FromEnvironment() => Parse(Environment.GetEnvironmentVariable(Setting));

    public static TraceLinks Parse(string? template)
    {
        if (string.IsNullOrWhiteSpace(template)) return new TraceLinks(null);
        template = template.Trim();
        if (!template.Contains(Placeholder, StringComparison.Ordinal))
            throw new CliException($"{Setting} '{template}' has no {Placeholder} placeholder (e.g. http://localhost:16686/trace/{Placeholder})", 2);
        // The placeholder is replaced by a hex id, so the template is a URL exactly when one with a sample id is.
        var sample = template.Replace(Placeholder, "0af7651916cd43dd8448eb211c80319c", StringComparison.Ordinal);
        if (!Uri.TryCreate(sample, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            throw new CliException($"{Setting} '{template}' is not an absolute http or https URL", 2);
        return new TraceLinks(template);
    }

    /// <summary>The link to the trace, or null when no template is set or there is no trace id.</summary>
    public string? For(string? traceId) =>
        _template is null || string.IsNullOrWhiteSpace(traceId)
            ? null
            : _template.Replace(Placeholder, Uri.EscapeDataString(traceId.Trim()), StringComparison.Ordinal);
}
