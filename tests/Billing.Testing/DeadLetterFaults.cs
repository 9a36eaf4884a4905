using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Billing.Testing;

/// <summary>Dead-lettered messages shaped like MassTransit's (envelope body plus fault headers), for tests that need many.</summary>
public static class DeadLetterFaults
{
    /// <summary>A <c>GenerateInvoice</c> that failed with <paramref name="exceptionType"/> in <paramref name="targetQueue"/>, to be
    /// published to its dead-letter queue. The run, the invoice and the trace (<c>traceparent</c>) are carried when given.</summary>
    public static (BasicProperties, byte[]) Make(string vhost, string targetQueue, string messageId, string exceptionType, Guid accountId,
        Guid? runId = null, Guid? invoiceId = null, string? traceId = null)
    {
        var traceParent = traceId is null ? null : $"00-{traceId}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..16]}-01";
        var envelope = new
        {
            messageId,
            conversationId = Guid.NewGuid(),
            destinationAddress = $"rabbitmq://localhost/{vhost}/{targetQueue}",
            messageType = new[] { "urn:message:Billing.Contracts:GenerateInvoice" },
            message = invoiceId is { } invoice
                ? (object)new { runId = runId ?? Guid.Empty, accountId, invoiceId = invoice, period = "2026-10" }
                : new { runId = runId ?? Guid.Empty, accountId, period = "2026-10" },
            sentTime = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O"),
            headers = new { },
        };
        var headers = new Dictionary<string, object?>
        {
            ["MT-Fault-ExceptionType"] = Encoding.UTF8.GetBytes(exceptionType),
            ["MT-Fault-Message"] = Encoding.UTF8.GetBytes($"{exceptionType} for account {accountId}"),
            ["MT-Fault-StackTrace"] = Encoding.UTF8.GetBytes("   at Billing.Invoicing.Generator.Run() in /src/Generator.cs:line 42"),
            ["MT-Fault-Timestamp"] = Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O")),
            ["MT-Fault-InputAddress"] = Encoding.UTF8.GetBytes($"rabbitmq://localhost:5673/{vhost}/{targetQueue}?bind=true"),
            ["MT-Fault-RetryCount"] = 2,
            ["MT-Reason"] = Encoding.UTF8.GetBytes("fault"),
        };
        if (traceParent is not null) headers["traceparent"] = Encoding.UTF8.GetBytes(traceParent);
        var properties = new BasicProperties
        {
            MessageId = messageId,
            ContentType = "application/vnd.masstransit+json",
            DeliveryMode = DeliveryModes.Persistent,
            Headers = headers,
        };
        return (properties, JsonSerializer.SerializeToUtf8Bytes(envelope));
    }
}
