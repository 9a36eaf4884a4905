using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Billing.Errors;
using MassTransit;

namespace Billing.Errors.Infrastructure;

/// <summary>Records the final failure of a message of type <typeparamref name="T"/> in any service. MassTransit
/// publishes <see cref="Fault{T}"/> once, after the last retry, so each failure is one occurrence, not one per
/// attempt. Registered for every contract by <see cref="ErrorLogBus.AddErrorLogConsumers"/>.</summary>
public sealed class FaultConsumer<T>(ErrorRecorder recorder) : IConsumer<Fault<T>> where T : class
{
    private static readonly MessageKeys<T> Keys = new();

    public async Task Consume(ConsumeContext<Fault<T>> context)
    {
        await recorder.RecordAsync(FaultReports.From(context, Keys), context.CancellationToken);
    }
}

/// <summary>Endpoint of every fault consumer: one queue collects the final failures of all contracts.</summary>
public sealed class FaultConsumerDefinition<T> : ConsumerDefinition<FaultConsumer<T>> where T : class
{
    public const string Queue = "error-log-faults";

    public FaultConsumerDefinition()
    {
        EndpointName = Queue;
        ConcurrentMessageLimit = 16;
    }
}

/// <summary>The invoice, account and run a message is about, read once per type from its properties.</summary>
internal sealed class MessageKeys<T>
{
    private readonly Func<T, Guid?>? _invoice = Reader("InvoiceId");
    private readonly Func<T, Guid?>? _account = Reader("AccountId");
    private readonly Func<T, Guid?>? _run = Reader("RunId");

    public (Guid? Invoice, Guid? Account, Guid? Run) Of(T? message) =>
        message is null ? (null, null, null) : (_invoice?.Invoke(message), _account?.Invoke(message), _run?.Invoke(message));

    private static Func<T, Guid?>? Reader(string name)
    {
        var property = typeof(T).GetProperty(name);
        if (property is null) return null;
        if (property.PropertyType == typeof(Guid)) return m => (Guid?)(Guid)property.GetValue(m)!;
        if (property.PropertyType == typeof(Guid?)) return m => (Guid?)property.GetValue(m);
        return null;
    }
}

internal static class FaultReports
{
    private const int MaxBacktrace = 16_000;
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    public static ErrorReport From<T>(ConsumeContext<Fault<T>> context, MessageKeys<T> keys) where T : class
    {
        var fault = context.Message;
        var first = fault.Exceptions?.FirstOrDefault();
        var (invoice, account, run) = keys.Of(fault.Message);
        var payload = fault.Message is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(fault.Message, PayloadJson);
        return new ErrorReport(
            Service: ServiceOf(fault.Host) ?? QueueOf(context.SourceAddress) ?? "unknown",
            ErrorType: ShortTypeName(first?.ExceptionType) ?? "UnknownFault",
            // The queue the message failed in: its dead letters wait in "<code>_error" for a redrive.
            Code: QueueOf(context.SourceAddress) ?? typeof(T).Name,
            Message: string.IsNullOrWhiteSpace(first?.Message) ? $"{typeof(T).Name} failed" : first.Message,
            Backtrace: Backtrace(fault.Exceptions),
            InvoiceId: invoice,
            AccountId: account,
            RunId: run,
            TraceId: TraceIdOf(context),
            Payload: payload,
            MessageType: typeof(T).Name);
    }

    /// <summary>"Billing.InvoiceGenerator" → "invoice-generator", "Billing.Redrive.Service" → "redrive";
    /// anything else (a tool, a test host) by its own name.</summary>
    internal static string? ServiceOf(HostInfo? host)
    {
        var name = host?.Assembly;
        if (string.IsNullOrWhiteSpace(name)) return string.IsNullOrWhiteSpace(host?.ProcessName) ? null : host.ProcessName;
        if (!name.StartsWith("Billing.", StringComparison.Ordinal)) return name;
        name = name["Billing.".Length..];
        if (name.EndsWith(".Service", StringComparison.Ordinal)) name = name[..^".Service".Length];
        var kebab = new StringBuilder();
        foreach (var c in name.Replace(".", "", StringComparison.Ordinal))
        {
            if (char.IsUpper(c) && kebab.Length > 0) kebab.Append('-');
            kebab.Append(char.ToLowerInvariant(c));
        }
        return kebab.ToString();
    }

    internal static string? QueueOf(Uri? address)
    {
        if (address is null) return null;
        var last = address.AbsolutePath.TrimEnd('/').Split('/').LastOrDefault();
        return string.IsNullOrEmpty(last) ? null : Uri.UnescapeDataString(last);
    }

    private static string? ShortTypeName(string? type)
    {
        if (string.IsNullOrWhiteSpace(type)) return null;
        var dot = type.LastIndexOf('.');
        return dot >= 0 ? type[(dot + 1)..] : type;
    }

    private static string? Backtrace(ExceptionInfo[]? exceptions)
    {
        if (exceptions is null || exceptions.Length == 0) return null;
        var text = new StringBuilder();
        foreach (var ex in exceptions)
        {
            for (var e = ex; e is not null; e = e.InnerException)
            {
                if (e != ex) text.Append("---> ");
                text.Append(e.ExceptionType).Append(": ").AppendLine(e.Message);
                if (!string.IsNullOrEmpty(e.StackTrace)) text.AppendLine(e.StackTrace);
            }
        }
        return text.Length <= MaxBacktrace ? text.ToString() : text.ToString(0, MaxBacktrace);
    }

    /// <summary>The fault is published from inside the failed consume, so it carries that message's trace.</summary>
    internal static string? TraceIdOf(ConsumeContext context)
    {
        if (Activity.Current is { } activity && activity.TraceId != default) return activity.TraceId.ToHexString();
        var parent = context.Headers.Get<string>("traceparent");
        var parts = parent?.Split('-');
        return parts is { Length: >= 3 } && parts[1].Length == 32 ? parts[1] : null;
    }
}
