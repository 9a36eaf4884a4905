using Billing.Contracts;
using MassTransit;

namespace Billing.Errors.Infrastructure;

public static class ErrorLogBus
{
    /// <summary>The error log's consumers: a <see cref="FaultConsumer{T}"/> for every message contract (a contract
    /// added later is covered without touching this), <see cref="ErrorReported"/>, and the run reports.</summary>
    public static IBusRegistrationConfigurator AddErrorLogConsumers(this IBusRegistrationConfigurator bus)
    {
        foreach (var message in MessageContracts())
            bus.AddConsumer(typeof(FaultConsumer<>).MakeGenericType(message), typeof(FaultConsumerDefinition<>).MakeGenericType(message));
        bus.AddConsumer<ErrorReportedConsumer, ErrorReportedConsumerDefinition>();
        bus.AddConsumer<RunStartedReportConsumer, RunStartedReportConsumerDefinition>();
        bus.AddConsumer<RunCompletedReportConsumer, RunCompletedReportConsumerDefinition>();
        return bus;
    }

    /// <summary>The records of Billing.Contracts that travel as messages: every public record except those that
    /// only appear inside another one (e.g. <see cref="CurrencyTotal"/> in a run's totals).</summary>
    public static IReadOnlyList<Type> MessageContracts()
    {
        var records = typeof(ErrorReported).Assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && t.Namespace == "Billing.Contracts")
            .ToList();
        var parts = records
            .SelectMany(t => t.GetProperties())
            .SelectMany(p => p.PropertyType.IsGenericType ? p.PropertyType.GetGenericArguments() : [p.PropertyType])
            .ToHashSet();
        return records.Where(t => !parts.Contains(t)).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
    }
}
