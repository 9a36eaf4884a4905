using Billing.ServiceDefaults;

namespace Billing.InvoiceGenerator;

public static class Extensions
{
    public static WebApplicationBuilder AddInvoiceGenerator(this WebApplicationBuilder builder)
    {
        builder.AddBillingBus(bus =>
        {
        });
        return builder;
    }
}
