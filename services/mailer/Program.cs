using Billing.ServiceDefaults;
using Billing.Mailer;

var builder = ServiceHost.CreateBuilder(args);
builder.AddServiceDefaults("mailer");
builder.AddMailer();
return await builder.RunServiceAsync(app => app.MapDefaultEndpoints());
