using Billing.ServiceDefaults;

namespace Billing.Redrive.Service;

public static class Extensions
{
    public static WebApplicationBuilder AddRedrive(this WebApplicationBuilder builder)
    {
        builder.AddErrorLog();
        builder.AddBillingBus(bus =>
        {
        });
        builder.AddDlqRedrive();
        builder.AddQueueDepthGauges();
        return builder;
    }
}
