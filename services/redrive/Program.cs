using Billing.ServiceDefaults;
using Billing.Redrive.Service;

var builder = ServiceHost.CreateBuilder(args);
builder.AddServiceDefaults("redrive");
builder.AddRedrive();
return await builder.RunServiceAsync(app => app.MapDefaultEndpoints());
