using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Errors.Infrastructure;

/// <summary>
/// Resolves error groups whose work went through after all. A group about a stage of an invoice (its PDF, email, ledger
/// entry, Stripe push, or the invoice itself) is resolved once every invoice it lists (every account, for a failed
/// generation) has gone through that stage, read from the invoices table: that is what "the redrive or retry
/// succeeded" means, whichever delivery did it. The note says what was checked and names the completed redrive job of
/// the group's queue, if any. A group that occurs again meanwhile is left for the next check; one that occurs after
/// being resolved reopens and alerts again. Groups about anything else (credit notes, webhooks, configuration) are
/// resolved by an operator.
/// </summary>
public sealed class ErrorAutoResolver(PostgresErrorStore store, IOptions<ErrorLogOptions> options, TimeProvider time,
    ILogger<ErrorAutoResolver> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        log.LogInformation("Error groups whose failed stage has gone through are resolved automatically (check every {Every})",
            options.Value.AutoResolveEvery);
        using var timer = new PeriodicTimer(options.Value.AutoResolveEvery, time);
        try
        {
            do
            {
                try
                {
                    foreach (var r in await store.AutoResolveAsync(time.GetUtcNow(), ct))
                        log.LogInformation("Error {Id} {Note}", r.Id, r.Note);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    log.LogError(ex, "Automatic resolution pass failed; retrying on the next tick");
                }
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
