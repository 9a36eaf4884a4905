using Billing.ServiceDefaults;

namespace Billing.Mailer;

public static class Extensions
{
    public static WebApplicationBuilder AddMailer(this WebApplicationBuilder builder)
    {
        builder.AddBillingBus(bus =>
        {
        });
        return builder;
    }
}
