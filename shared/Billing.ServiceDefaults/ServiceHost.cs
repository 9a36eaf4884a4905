using Microsoft.AspNetCore.Builder;

namespace Billing.ServiceDefaults;

public static class ServiceHost
{
    /// <summary>
    /// <see cref="WebApplication.CreateBuilder(string[])"/> without reloading configuration files on change. The
    /// services take their settings from the environment; the reload would watch the whole content root, every
    /// directory below it included, and where that is a checkout (the quick start, the tests, the benchmarks) every
    /// write of the local PostgreSQL, RabbitMQ, SMTP server and PDF storage under <c>.local</c> woke every service.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args) =>
        WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
}
