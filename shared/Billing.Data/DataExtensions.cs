using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Billing.Data;

public sealed class PostgresOptions
{
    public const string Section = "Postgres";

    [Required(ErrorMessage = "is required (e.g. Host=127.0.0.1;Port=55432;Username=billing;Password=billing;Database=billing)")]
    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending migrations at start-up (under the advisory lock).</summary>
    public bool Migrate { get; set; } = true;
}

public static class DataExtensions
{
    /// <summary>One <see cref="NpgsqlDataSource"/> for the process, and the migrations applied before anything else starts.</summary>
    public static IHostApplicationBuilder AddBillingData(this IHostApplicationBuilder builder)
    {
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.Services.AddOptions<PostgresOptions>()
            .BindConfiguration(PostgresOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => IsConnectionString(o.ConnectionString), "Postgres__ConnectionString is not a valid connection string")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PostgresOptions>>().Value;
            var data = new NpgsqlDataSourceBuilder(WithAutoPrepare(options.ConnectionString)) { Name = builder.Environment.ApplicationName };
            // A command's span keeps its start and end; the extra "received-first-response" event on every one of
            // them would only add to what is exported and stored.
            data.ConfigureTracing(t => t.EnableFirstResponseEvent(false));
            return data.Build();
        });
        // Registered before the bus so consumers never see an old schema.
        builder.Services.AddHostedService<MigrationHostedService>();
        return builder;
    }

    /// <summary>
    /// Statements run often (the hot paths of every service) are prepared once per connection instead of parsed on
    /// every execution, unless the connection string says otherwise (<c>Max Auto Prepare=0</c> turns it off).
    /// Prepared statements are still planned on every execution (<c>plan_cache_mode=force_custom_plan</c>): a
    /// generic plan chosen while a table was empty (the start of a run) would otherwise be kept when it is large.
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        var generic = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (generic.ContainsKey("Max Auto Prepare") || generic.ContainsKey("MaxAutoPrepare")) return connectionString;
        var csb = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64 };
        if (csb.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
            csb.Options = string.IsNullOrWhiteSpace(csb.Options) ? "-c plan_cache_mode=force_custom_plan" : csb.Options + " -c plan_cache_mode=force_custom_plan";
        return csb.ConnectionString;
    }

    private static bool IsConnectionString(string value)
    {
        if (string.IsNullOrWhiteSpace(value)) return true; // [Required] reports it
        try { _ = new NpgsqlConnectionStringBuilder(value); return true; }
        catch (ArgumentException) { return false; }
    }
}
