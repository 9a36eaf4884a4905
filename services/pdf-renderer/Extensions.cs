using Billing.ServiceDefaults;

namespace Billing.PdfRenderer;

public static class Extensions
{
    public static WebApplicationBuilder AddPdfRenderer(this WebApplicationBuilder builder)
    {
        builder.AddBillingBus(bus =>
        {
        });
        return builder;
    }
}
