using Billing.ServiceDefaults;
using Billing.PdfRenderer;

var builder = ServiceHost.CreateBuilder(args);
builder.AddServiceDefaults("pdf-renderer");
builder.AddPdfRenderer();
return await builder.RunServiceAsync(app => app.MapDefaultEndpoints());
