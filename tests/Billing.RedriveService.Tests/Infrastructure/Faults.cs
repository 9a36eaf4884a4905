using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Billing.RedriveService.Tests.Infrastructure;

/// <summary>Dead-lettered messages shaped like MassTransit's (envelope body plus fault headers), for tests that need many.</summary>
internal static class Faults
{
    public static (BasicProperties, byte[]) Make(string vhost, string targetQueue, string messageId, string exceptionType, Guid accountId)
    {
        var envelope = new
        {
            messageId,
            conversationId = Guid.NewGuid(),
            destinationAddress = $"rabbitmq://localhost/{vhost}/{targetQueue}",
            messageType = new[] { "urn:message:Billing.Contracts:GenerateInvoice" },
            message = new { runId = Guid.Empty, accountId, period = "2026-10" },
            sentTime = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O"),
            headers = new { },
        };
        var properties = new BasicProperties
        {
            MessageId = messageId,
            ContentType = "application/vnd.masstransit+json",
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?>
            {
                ["MT-Fault-ExceptionType"] = Encoding.UTF8.GetBytes(exceptionType),
                ["MT-Fault-Message"] = Encoding.UTF8.GetBytes($"{exceptionType} for account {accountId}"),
                ["MT-Fault-StackTrace"] = Encoding.UTF8.GetBytes("   at Billing.Invoicing.Generator.Run() in /src/Generator.cs:line 42"),
                ["MT-Fault-Timestamp"] = Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O")),
                ["MT-Fault-InputAddress"] = Encoding.UTF8.GetBytes($"rabbitmq://localhost:5673/{vhost}/{targetQueue}?bind=true"),
                ["MT-Fault-RetryCount"] = 2,
                ["MT-Reason"] = Encoding.UTF8.GetBytes("fault"),
            },
        };
        return (properties, JsonSerializer.SerializeToUtf8Bytes(envelope));
    }
}
