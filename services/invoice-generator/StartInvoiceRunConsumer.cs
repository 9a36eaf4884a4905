using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Billing.Contracts;
using Billing.Invoicing;
using Billing.Invoicing.Infrastructure;
using Billing.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Billing.InvoiceGenerator;

/// <summary>
/// Fan-out: one GenerateInvoice per active account billable on a day of the period, a page at a time with every publish of the page in flight
/// (a window of confirms). Each invoice gets its own trace, linked to the run trigger. A redelivered start after
/// a complete fan-out does nothing; one redelivered mid-way publishes again, which GenerateInvoice tolerates.
/// </summary>
public sealed class StartInvoiceRunConsumer(RunStore runs, ServiceInfo service, IOptions<GenerationOptions> options,
    ILogger<StartInvoiceRunConsumer> log) : IConsumer<StartInvoiceRun>
{
    public async Task Consume(ConsumeContext<StartInvoiceRun> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var run = await runs.GetAsync(m.RunId, ct) ?? throw new ValidationException($"run {m.RunId} does not exist");
        if (run.FannedOutAt is not null)
        {
            log.LogInformation("Run {RunId} was already fanned out to {Accounts} accounts", m.RunId, run.Accounts);
            return;
        }

        if (!BillingPeriod.TryParse(m.Period, out var period))
            throw new ValidationException($"period '{m.Period}' is not a period; expected yyyy-MM");
        var expected = await runs.CountBillableAccountsAsync(m.RunId, period, ct);
        log.LogInformation("Run {RunId} for {Period}: fanning out to {Accounts} accounts", m.RunId, m.Period, expected);
        var trigger = Activity.Current?.Context ?? default;
        var sent = 0;
        await foreach (var page in runs.BillableAccountPagesAsync(period, options.Value.FanOutPageSize, ct))
        {
            // A cancel during the fan-out stops it: the requests already out are refused by the generator anyway.
            if ((await runs.GetAsync(m.RunId, ct))?.Status is { } status && RunStatus.IsCancelled(status))
            {
                log.LogInformation("Run {RunId} was cancelled; fan-out stopped after {Accounts} accounts", m.RunId, sent);
                break;
            }
            var publishes = new Task[page.Count];
            for (var i = 0; i < page.Count; i++) publishes[i] = PublishAsync(context, trigger, page[i]);
            await Task.WhenAll(publishes);
            sent += page.Count;
        }
        await runs.MarkFannedOutAsync(m.RunId, sent, ct);
        await context.Publish(new InvoiceRunStarted(m.RunId, m.Period, sent, new DateTimeOffset(run.StartedAt, TimeSpan.Zero)), ct);
        log.LogInformation("Run {RunId}: {Accounts} invoice requests published", m.RunId, sent);
    }

    // Async so the change of Activity.Current stays inside this call.
    private async Task PublishAsync(ConsumeContext<StartInvoiceRun> context, ActivityContext trigger, Guid accountId)
    {
        Activity.Current = null;
        using var activity = service.ActivitySource.StartActivity("invoice", ActivityKind.Producer, parentContext: default,
            links: trigger == default ? null : [new ActivityLink(trigger)]);
        activity?.SetTag("billing.run_id", context.Message.RunId);
        activity?.SetTag("billing.account_id", accountId);
        activity?.SetTag("billing.period", context.Message.Period);
        await context.Publish(new GenerateInvoice(context.Message.RunId, accountId, context.Message.Period), context.CancellationToken);
    }
}
