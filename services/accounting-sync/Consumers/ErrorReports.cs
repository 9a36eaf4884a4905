using System.Diagnostics;
using Billing.Contracts;
using MassTransit;

namespace Billing.AccountingSync.Consumers;

/// <summary>ErrorReported from this service; error type, code and business key group repeats into one error.</summary>
public static class ErrorReports
{
    public const string Service = "accounting-sync";

    public static Task PublishAsync(IPublishEndpoint publish, string errorType, string code, string message,
        Guid? invoiceId, Guid? accountId = null, Guid? runId = null, string? payloadJson = null, DateTimeOffset? at = null, CancellationToken ct = default) =>
        publish.Publish(new ErrorReported(Service, errorType, code, message, invoiceId, accountId, runId,
            Activity.Current?.TraceId.ToString(), invoiceId?.ToString(), payloadJson, at ?? DateTimeOffset.UtcNow), ct);
}
