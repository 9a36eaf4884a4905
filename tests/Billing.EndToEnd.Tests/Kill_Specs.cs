using Billing.EndToEnd.Tests.Infrastructure;
using Billing.Testing;
using Dapper;

namespace Billing.EndToEnd.Tests;

/// <summary>kill -9 of one service mid-run, then a new process: the run still completes with every invariant.</summary>
public abstract class KillMidRun : IAsyncLifetime
{
    protected const int Accounts = 60;
    protected Pipeline Pipeline { get; private set; } = null!;

    protected abstract string Prefix { get; }

    public async Task InitializeAsync()
    {
        Pipeline = await Pipeline.CreateAsync(Prefix);
        Pipeline.StartSmtp();
        await Seed.RunAsync(Pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await Pipeline.StartAllAsync();
    }

    public Task DisposeAsync() => Pipeline.DisposeAsync().AsTask();

    protected async Task<Guid> StartRunAsync()
    {
        var (exit, output) = await Pipeline.CliAsync(TimeSpan.FromMinutes(2), "run", "start", "--period", Pipeline.Period);
        Assert.True(exit == 0, $"billing run start exited {exit}:\n{output}");
        return await Pipeline.RunIdAsync();
    }

    protected async Task<int> CountAsync(string sql, Guid runId)
    {
        await using var conn = await Pipeline.Db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>(sql, new { runId });
    }
}

public sealed class When_the_mailer_is_killed_mid_run : KillMidRun
{
    protected override string Prefix => "e2ekillmail";

    [Fact]
    public async Task Does_complete_the_run_with_at_most_the_in_flight_email_duplicated()
    {
        var runId = await StartRunAsync();
        await Eventually.Until(() => CountAsync("select count(*)::int from invoices where run_id = @runId and email_status = 'sent'", runId),
            n => n > 0, TimeSpan.FromMinutes(5));
        var mailer = Pipeline.Of("mailer").Single();
        await mailer.KillAsync();
        var sentAtKill = await CountAsync("select count(*)::int from invoices where run_id = @runId and email_status = 'sent'", runId);
        await Pipeline.RestartAsync(mailer, "mailer");

        await Pipeline.WaitCompletedAsync(runId);
        // Documented at-least-once window (services/mailer/README.md): a message the SMTP server accepted whose 'sent'
        // update had not committed when the process died is sent again. The mailer sends up to 16 at once
        // (InvoicePdfRenderedConsumer.Concurrency), so at most that many, and never more than were still unsent.
        const int mailerConcurrency = 16;
        await Pipeline.AssertRunInvariantsAsync(runId, Accounts, maxDuplicateEmails: Math.Min(mailerConcurrency, Accounts - sentAtKill));
        var mails = MaildirReader.Read(Pipeline.Maildir);
        var duplicated = mails.GroupBy(m => m.Header("X-Billing-Invoice-Id")).Where(g => g.Count() > 1).ToList();
        Assert.All(duplicated, g => Assert.Single(g.Select(m => m.MessageId).Distinct()));
    }
}

public sealed class When_the_invoice_generator_is_killed_mid_run : KillMidRun
{
    protected override string Prefix => "e2ekillgen";

    [Fact]
    public async Task Does_complete_the_run_with_one_invoice_per_account_and_gapless_numbers()
    {
        // Killed right after the run is accepted: while it fans out or generates the first batches.
        var runId = await StartRunAsync();
        var generator = Pipeline.Of("invoice-generator").Single();
        await generator.KillAsync();
        await Pipeline.RestartAsync(generator, "invoice-generator");

        await Pipeline.WaitCompletedAsync(runId);
        await Pipeline.AssertRunInvariantsAsync(runId, Accounts);
    }
}
