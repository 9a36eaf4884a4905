using System.Diagnostics;
using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Billing.ServiceDefaults;

/// <summary>
/// Puts the invoice, account and run ids of the message being handled on its span (tags) and on every log written
/// while it is handled (a logging scope, exported as attributes), so a log line of the dashboard leads to its invoice
/// and trace. Registered only when telemetry is exported.
/// </summary>
public sealed class BillingIdsInLogs(ILoggerFactory loggers)
{
    public const string InvoiceId = "billing.invoice_id";
    public const string AccountId = "billing.account_id";
    public const string RunId = "billing.run_id";

    internal ILogger Logger { get; } = loggers.CreateLogger("Billing.Messages");

    /// <summary>Readers of the id properties a message type has (InvoiceId, AccountId, RunId; Guid or Guid?).</summary>
    internal static (string Attribute, Func<T, Guid?> Read)[] ReadersOf<T>() where T : class
    {
        var readers = new List<(string, Func<T, Guid?>)>(3);
        foreach (var (property, attribute) in new[] { ("InvoiceId", InvoiceId), ("AccountId", AccountId), ("RunId", RunId) })
        {
            var getter = typeof(T).GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.GetMethod;
            if (getter is null) continue;
            if (getter.ReturnType == typeof(Guid))
            {
                var read = getter.CreateDelegate<Func<T, Guid>>();
                readers.Add((attribute, m => read(m)));
            }
            else if (getter.ReturnType == typeof(Guid?))
                readers.Add((attribute, getter.CreateDelegate<Func<T, Guid?>>()));
        }
        return readers.ToArray();
    }
}

/// <summary>The consume filter behind <see cref="BillingIdsInLogs"/>, one per message type.</summary>
public sealed class BillingIdsFilter<T>(BillingIdsInLogs ids) : IFilter<ConsumeContext<T>> where T : class
{
    private static readonly (string Attribute, Func<T, Guid?> Read)[] Readers = BillingIdsInLogs.ReadersOf<T>();

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (Readers.Length == 0)
        {
            await next.Send(context);
            return;
        }
        var values = new List<KeyValuePair<string, object?>>(Readers.Length);
        foreach (var (attribute, read) in Readers)
            if (read(context.Message) is { } id)
                values.Add(new(attribute, id.ToString("D")));
        var activity = Activity.Current;
        if (activity is { IsAllDataRequested: true })
            foreach (var (key, value) in values) activity.SetTag(key, value);
        using (ids.Logger.BeginScope(values))
            await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("billingIds");
}
