namespace Billing.Errors;

/// <summary>
/// Links from a trace id to the trace UI, from the one setting <c>BILLING_TRACE_UI_URL</c>: a URL template with
/// <c>{trace_id}</c>, read by the CLI, the chat alerts, the error records and the dead-letter views alike. The quick
/// start sets it to the local dashboard's trace page (<c>http://127.0.0.1:18888/traces/detail/{trace_id}</c>); Jaeger
/// is <c>http://localhost:16686/trace/{trace_id}</c>. Unset: no links. The former base-URL settings
/// <c>Alerts__TraceUiUrl</c> and <c>Chat__TraceUiUrl</c> are still read when it is unset (link: base + /trace/{id}).
/// </summary>
public sealed class TraceLinks
{
    public const string Setting = "BILLING_TRACE_UI_URL";
    public const string Placeholder = "{trace_id}";
    public static readonly string[] FormerSettings = ["Alerts__TraceUiUrl", "Chat__TraceUiUrl"];
    public static readonly TraceLinks None = new(null);

    private TraceLinks(string? template) => Template = template;

    /// <summary>The template, with <see cref="Placeholder"/>; null when no links are made.</summary>
    public string? Template { get; }

    /// <summary>
    /// The links of the setting, else of the first former setting set (a base URL, or already a template).
    /// <paramref name="read"/> reads a setting by its environment name (<c>Section__Member</c>).
    /// </summary>
    /// <exception cref="FormatException">the setting in use is malformed; the message names it.</exception>
    public static TraceLinks From(Func<string, string?> read)
    {
        if (read(Setting) is { } value && !string.IsNullOrWhiteSpace(value)) return Parse(value, Setting);
        foreach (var former in FormerSettings)
            if (read(former) is { } old && !string.IsNullOrWhiteSpace(old))
                return Parse(old.Contains(Placeholder, StringComparison.Ordinal) ? old : old.Trim().TrimEnd('/') + "/trace/" + Placeholder, former);
        return None;
    }

    /// <exception cref="FormatException">no placeholder, or not an absolute http(s) URL; the message names <paramref name="setting"/>.</exception>
    public static TraceLinks Parse(string? template, string setting = Setting)
    {
        if (string.IsNullOrWhiteSpace(template)) return None;
        template = template.Trim();
        if (!template.Contains(Placeholder, StringComparison.Ordinal))
            throw new FormatException($"{setting} '{template}' has no {Placeholder} placeholder (e.g. http://127.0.0.1:18888/traces/detail/{Placeholder})");
        // The placeholder is replaced by a hex id, so the template is a URL exactly when one with a sample id is.
        if (!HttpUrls.IsAbsoluteHttp(template.Replace(Placeholder, "0af7651916cd43dd8448eb211c80319c", StringComparison.Ordinal)))
            throw new FormatException($"{setting} '{template}' is not an absolute http or https URL");
        return new TraceLinks(template);
    }

    /// <summary>The link to the trace, or null when no template is set or there is no trace id.</summary>
    public string? For(string? traceId) =>
        Template is null || string.IsNullOrWhiteSpace(traceId)
            ? null
            : Template.Replace(Placeholder, Uri.EscapeDataString(traceId.Trim()), StringComparison.Ordinal);
}
