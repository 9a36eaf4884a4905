using Billing.Redrive;

namespace Billing.Redrive.Service;

public static class RedriveExtensions
{
    /// <summary>Runs the redrive jobs the admin API queues (table redrive_jobs), one at a time per instance.</summary>
    public static WebApplicationBuilder AddDlqRedrive(this WebApplicationBuilder builder)
    {
        builder.Services.AddRedriveCore();
        builder.Services.AddHostedService<RedriveJobWorker>();
        return builder;
    }
}
