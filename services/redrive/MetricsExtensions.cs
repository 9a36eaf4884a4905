using Billing.Redrive;

namespace Billing.Redrive.Service;

public static class MetricsExtensions
{
    /// <summary>Queue and dead-letter depths as gauges (needs <see cref="RedriveOptions"/> from AddDlqRedrive).</summary>
    public static WebApplicationBuilder AddQueueDepthGauges(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<QueueDepthGauges>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueDepthGauges>());
        return builder;
    }
}
