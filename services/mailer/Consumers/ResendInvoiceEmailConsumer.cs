using Billing.Contracts;
using Billing.Mailer.Delivery;
using MassTransit;
using Billing.Vocabulary;

namespace Billing.Mailer.Consumers;

/// <summary>
/// An operator's resend: one more email per request. <see cref="ResendInvoiceEmail.RequestId"/> keys the delivery;
/// for the older <see cref="SendInvoiceEmail"/> command the bus message id does (a redelivery keeps it).
/// </summary>
public sealed class ResendInvoiceEmailConsumer(InvoiceMailer mailer) : IConsumer<ResendInvoiceEmail>, IConsumer<SendInvoiceEmail>
{
    public Task Consume(ConsumeContext<ResendInvoiceEmail> context) =>
        mailer.OnResendAsync(context.Message.RequestId, context.Message.InvoiceId, context.Message.RequestedBy, context);

    public Task Consume(ConsumeContext<SendInvoiceEmail> context) =>
        mailer.OnResendAsync(context.MessageId ?? throw new System.ComponentModel.DataAnnotations.ValidationException(
                "SendInvoiceEmail without a message id cannot be deduplicated; send ResendInvoiceEmail with a request id"),
            context.Message.InvoiceId, context.Message.RequestedBy, context);
}

public sealed class ResendInvoiceEmailConsumerDefinition : ConsumerDefinition<ResendInvoiceEmailConsumer>
{
    public ResendInvoiceEmailConsumerDefinition()
    {
        EndpointName = ConsumerEndpoints.ResendInvoiceEmail;
        ConcurrentMessageLimit = 4;
    }
}
