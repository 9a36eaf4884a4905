using Billing.ServiceDefaults;
using Billing.InvoiceGenerator;

var builder = ServiceHost.CreateBuilder(args);
builder.AddServiceDefaults("invoice-generator");
builder.AddInvoiceGenerator();
return await builder.RunServiceAsync(app => app.MapDefaultEndpoints());
