using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Billing.Redrive.Tests.Infrastructure;

/// <summary>Dead-lettered messages shaped like MassTransit's (envelope body plus fault headers), for tests that need many or specific ones.</summary>
internal static class FakeFaults
{
    public sealed record Spec(
        string MessageId, string TargetQueue, string Vhost, string ExceptionType = "System.InvalidOperationException",
        string MessageType = "GenerateInvoice", Guid? AccountId = null, string Period = "2026-10",
        DateTimeOffset? FaultedAt = null, int? RedriveCount = null, string Frame = "at Billing.Invoicing.Generator.Run()");

    public static (BasicProperties, byte[]) Make(Spec spec)
    {
        var envelope = new
        {
            messageId = spec.MessageId,
            correlationId = spec.MessageId,
            conversationId = "c0c0c0c0-0000-0000-0000-" + spec.MessageId[^12..],
            sourceAddress = "rabbitmq://localhost/sender",
            destinationAddress = $"rabbitmq://localhost/{spec.Vhost}/{spec.TargetQueue}",
            messageType = new[] { $"urn:message:Billing.Contracts:{spec.MessageType}" },
            message = new { runId = Guid.Empty, accountId = spec.AccountId ?? Guid.Empty, period = spec.Period },
            sentTime = (spec.FaultedAt ?? DateTimeOffset.UtcNow).AddSeconds(-1).ToString("O"),
            headers = new { },
        };
        var headers = new Dictionary<string, object?>
        {
            ["MT-Fault-ExceptionType"] = Encoding.UTF8.GetBytes(spec.ExceptionType),
            ["MT-Fault-Message"] = Encoding.UTF8.GetBytes("boom " + spec.MessageId),
            ["MT-Fault-StackTrace"] = Encoding.UTF8.GetBytes($"   {spec.Frame} in /src/Generator.cs:line 42\n   at Other.Frame()"),
            ["MT-Fault-Timestamp"] = Encoding.UTF8.GetBytes((spec.FaultedAt ?? DateTimeOffset.UtcNow).ToString("O")),
            ["MT-Fault-InputAddress"] = Encoding.UTF8.GetBytes($"rabbitmq://localhost:5673/{spec.Vhost}/{spec.TargetQueue}?bind=true"),
            ["MT-Fault-RetryCount"] = 2,
            ["MT-Reason"] = Encoding.UTF8.GetBytes("fault"),
            ["x-first-death-queue"] = Encoding.UTF8.GetBytes(spec.TargetQueue),
            ["x-death"] = new List<object> { new Dictionary<string, object?> { ["count"] = 1L, ["queue"] = Encoding.UTF8.GetBytes(spec.TargetQueue) } },
            ["traceparent"] = Encoding.UTF8.GetBytes($"00-{spec.MessageId.Replace("-", "")}-00f067aa0ba902b7-01"),
        };
        if (spec.RedriveCount is { } count) headers["Billing-Redrive-Count"] = count;
        var properties = new BasicProperties
        {
            MessageId = spec.MessageId,
            CorrelationId = spec.MessageId,
            ContentType = "application/vnd.masstransit+json",
            DeliveryMode = DeliveryModes.Persistent,
            Headers = headers,
        };
        return (properties, JsonSerializer.SerializeToUtf8Bytes(envelope));
    }

    /// <summary>Message ids whose hex form doubles as a 32-digit trace id.</summary>
    public static string NewId() => Guid.NewGuid().ToString();
}
