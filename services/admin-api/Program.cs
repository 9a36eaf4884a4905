using Billing.AdminApi;
using Billing.ServiceDefaults;

var builder = ServiceHost.CreateBuilder(args);
builder.AddServiceDefaults("admin-api");
builder.AddAdminApi();
return await builder.RunServiceAsync(app => app.UseAdminApi());

/// <summary>Entry point marker for in-process tests (WebApplicationFactory).</summary>
public partial class Program;
