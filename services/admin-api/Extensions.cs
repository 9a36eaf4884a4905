using System.Text.Json;
using Billing.Accounting;
using Billing.AdminApi.Auth;
using Billing.AdminApi.Endpoints;
using Billing.Pdf;
using Billing.Redrive;
using Billing.ServiceDefaults;

namespace Billing.AdminApi;

public static class Extensions
{
    public static WebApplicationBuilder AddAdminApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddApiKeyAuth();
        builder.AddBillingBus();
        builder.AddPdfStorage();
        builder.Services.AddAccounting();
        builder.Services.AddRedriveCore();
        return builder;
    }

    public static WebApplication UseAdminApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapAdminEndpoints();
        app.MapStripeWebhooks();
        return app;
    }
}
