using Billing.ServiceDefaults;
using Billing.AccountingSync;

var builder = ServiceHost.CreateBuilder(args);
builder.AddServiceDefaults("accounting-sync");
builder.AddAccountingSync();
return await builder.RunServiceAsync(app => app.MapDefaultEndpoints());
