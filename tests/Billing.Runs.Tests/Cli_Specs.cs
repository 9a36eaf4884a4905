using Billing.Testing;
using Dapper;

namespace Billing.Runs.Tests;

/// <summary>An operator at a terminal: start with --watch, follow it to completion, look at the run and an invoice.</summary>
public sealed class When_an_operator_runs_the_period_from_the_cli : IAsyncLifetime
{
    private RunHarness h = null!;

    public async Task InitializeAsync()
    {
        h = await RunHarness.StartAsync("runcli");
        var plan = await Catalogue.PlanAsync(h.Db.DataSource, "team", "EUR", 4900, ("seats", 12m));
        var accounts = Enumerable.Range(0, 5).Select(i => new TestAccount(Guid.NewGuid(), plan, 19m,
            new Dictionary<string, decimal> { ["seats"] = i + 1 }, [])).ToList();
        await Catalogue.InsertAsync(h.Db.DataSource, accounts, RunHarness.Period);
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Does_watch_until_completed_and_show_status_and_invoices()
    {
        var watch = h.CliAsync("run", "start", "--period", RunHarness.Period, "--watch");
        // Downstream stages, as the mailer and the ledger would record them, once the invoices exist.
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*) from invoices"), n => n == 5, TimeSpan.FromMinutes(2));
        var runId = await conn.ExecuteScalarAsync<Guid>("select id from invoice_runs");
        await h.SimulateDownstreamAsync(runId);

        var (code, stdout, stderr) = await watch.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains($"run {runId} started for {RunHarness.Period}", stdout);
        Assert.Contains("completed", stdout);

        var status = await h.CliAsync("run", "status", "--period", RunHarness.Period);
        Assert.Equal(0, status.Code);
        Assert.Contains("completed", status.Stdout);
        Assert.Contains("EUR", status.Stdout);

        var invoiceId = await conn.ExecuteScalarAsync<Guid>("select id from invoices order by number limit 1");
        var trace = await conn.ExecuteScalarAsync<string>("select trace_id from invoices where id = @invoiceId", new { invoiceId });
        var show = await h.CliAsync("invoice", "show", invoiceId.ToString());
        Assert.Equal(0, show.Code);
        Assert.Contains("INV-2026-000001", show.Stdout);
        Assert.Contains("base fee", show.Stdout);
        Assert.Contains(trace!, show.Stdout);

        var list = await h.CliAsync("invoice", "list", "--run", runId.ToString());
        Assert.Equal(0, list.Code);
        Assert.Contains("INV-2026-000005", list.Stdout);

        var retry = await h.CliAsync("run", "retry-failed", runId.ToString());
        Assert.Equal(0, retry.Code);
        Assert.Contains("retried 0", retry.Stdout);

        var unknown = await h.CliAsync("run", "status", Guid.NewGuid().ToString());
        Assert.NotEqual(0, unknown.Code);
        Assert.Contains("HTTP 404", unknown.Stderr);
    }
}
