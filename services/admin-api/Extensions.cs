using Billing.Ledger.Infrastructure;
using Billing.AdminApi.Auth;
using Billing.AdminApi.Endpoints;
using Billing.AdminApi.OperatorConsole;
using Billing.Api.Contracts;
using Billing.Pdf;
using Billing.Redrive;
using Billing.ServiceDefaults;

namespace Billing.AdminApi;

public static class Extensions
{
    public static WebApplicationBuilder AddAdminApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddOptions<RequestLimitOptions>().BindConfiguration(RequestLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // A body or parameter that cannot be bound raises BadHttpRequestException, which RequestProblems answers with
        // the field at fault (the default is a bare 400 without a body).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Console pages first: their failures are answered with a page (ConsoleExceptionHandler), the API's with problem JSON.
        builder.Services.AddExceptionHandler<ConsoleExceptionHandler>();
        builder.Services.AddExceptionHandler<RequestProblems.BadRequestHandler>();
        builder.Services.AddApiKeyAuth();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<ApiKeyAdmin>();
        // The operator console under /console: its own cookie sessions, pages rendered on the server.
        builder.Services.AddConsole();
        builder.Services.AddAdminApiOpenApi();
        // trace_url next to every trace_id of error records and dead letters (BILLING_TRACE_UI_URL).
        Billing.Errors.Infrastructure.TraceLinkSettings.Add(builder.Services);
        builder.AddBillingBus();
        builder.AddPdfStorage();
        builder.Services.AddAccounting();
        builder.Services.AddRedriveCore();
        // The run preview prices accounts with the generator's own loader and calculator.
        builder.Services.AddSingleton<Billing.Invoicing.Infrastructure.PlanCache>();
        builder.Services.AddSingleton(sp => new Billing.Invoicing.Infrastructure.BillingInputLoader(sp.GetRequiredService<Npgsql.NpgsqlDataSource>()));
        builder.Services.AddSingleton<Billing.Invoicing.Infrastructure.RunPreviewQuery>();
        builder.Services.AddSingleton<Billing.Invoicing.Infrastructure.RunDeadLetterQuery>();
        return builder;
    }

    public static WebApplication UseAdminApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseConsoleHeaders();
        app.UseAuthentication();
        app.UseAuthorization();
        // Checks the token of the console's forms; no API endpoint asks for one.
        app.UseAntiforgery();
        app.Use(RequestProblems.CheckBodyAsync);
        app.MapDefaultEndpoints();
        app.MapAdminEndpoints();
        app.MapStripeWebhooks();
        app.MapAdminApiDocs();
        app.MapConsole();
        return app;
    }
}
