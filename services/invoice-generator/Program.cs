using Billing.ServiceDefaults;
using Billing.InvoiceGenerator;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("invoice-generator");
builder.AddInvoiceGenerator();
return await builder.RunServiceAsync(app => app.MapDefaultEndpoints());
