using Billing.EndToEnd.Tests.Infrastructure;

namespace Billing.EndToEnd.Tests;

/// <summary>Journey 1: accounts in, the run started through the CLI, every invoice generated, rendered, emailed and
/// posted exactly once, the ledger reconciles and the closing report reaches the chat.</summary>
public sealed class When_the_monthly_run_is_started_through_the_cli : IAsyncLifetime
{
    private const int Accounts = 40;
    private Pipeline pipeline = null!;
    private ChatReceiver chat = null!;

    public async Task InitializeAsync()
    {
        chat = await ChatReceiver.StartAsync();
        pipeline = await Pipeline.CreateAsync("e2erun");
        pipeline.StartSmtp();
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await pipeline.StartAllAsync(new Dictionary<string, IDictionary<string, string?>>
        {
            ["redrive"] = new Dictionary<string, string?> { ["Chat__WebhookUrl"] = chat.WebhookUrl },
        });
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        await chat.DisposeAsync();
    }

    [Fact]
    public async Task Does_invoice_render_email_and_post_every_account_exactly_once_and_report_the_count()
    {
        var (exit, output) = await pipeline.CliAsync(TimeSpan.FromMinutes(10), "run", "start", "--period", Pipeline.Period, "--watch");
        Assert.True(exit == 0, $"billing run start --watch exited {exit}:\n{output}\n{pipeline.Logs()}");

        var runId = await pipeline.RunIdAsync();
        await pipeline.AssertRunInvariantsAsync(runId, Accounts);

        var reconcile = await pipeline.GetJsonAsync("/admin/reconcile");
        Assert.Equal("clean", reconcile.GetProperty("status").GetString());
        Assert.Equal(0, reconcile.GetProperty("drift_count").GetInt32());

        var report = await Billing.Testing.Eventually.Until(
            () => Task.FromResult(chat.Messages.FirstOrDefault(m => m.Contains($"Invoice run {Pipeline.Period} completed", StringComparison.Ordinal)) ?? ""),
            m => m.Length > 0, TimeSpan.FromMinutes(3));
        Assert.Contains($"invoices: {Accounts} of {Accounts} accounts", report);
        Assert.Contains(runId.ToString("D"), report);
    }
}
