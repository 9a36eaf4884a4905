using Billing.ServiceDefaults;

namespace Billing.AccountingSync;

public static class Extensions
{
    public static WebApplicationBuilder AddAccountingSync(this WebApplicationBuilder builder)
    {
        builder.AddBillingBus(bus =>
        {
        });
        return builder;
    }
}
