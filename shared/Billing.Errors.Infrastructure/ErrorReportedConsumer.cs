using System.Text.Json;
using Billing.Contracts;
using Billing.Errors;
using MassTransit;

namespace Billing.Errors.Infrastructure;

/// <summary>Records errors other services report without a message fault (suppressed or failed emails,
/// reconciliation drifts, rejected webhooks).</summary>
public sealed class ErrorReportedConsumer(ErrorRecorder recorder) : IConsumer<ErrorReported>
{
    public async Task Consume(ConsumeContext<ErrorReported> context)
    {
        var m = context.Message;
        var report = new ErrorReport(m.Service, m.ErrorType, m.Code ?? "", m.Message, null, m.InvoiceId, m.AccountId,
            m.RunId, m.TraceId ?? FaultReports.TraceIdOf(context), m.BusinessKey, PayloadOf(m.PayloadJson));
        if (report.Validate() is { Count: > 0 } problems)
            // Can never succeed: not retried, lands in error-log-reports_error with the reason.
            throw new System.ComponentModel.DataAnnotations.ValidationException(
                "ErrorReported is unusable: " + string.Join("; ", problems.Values));
        await recorder.RecordAsync(report, context.CancellationToken);
    }

    /// <summary>The payload as sent when it is JSON; otherwise kept as a JSON string rather than lost.</summary>
    internal static JsonElement? PayloadOf(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}

public sealed class ErrorReportedConsumerDefinition : ConsumerDefinition<ErrorReportedConsumer>
{
    public ErrorReportedConsumerDefinition() => EndpointName = "error-log-reports";
}
