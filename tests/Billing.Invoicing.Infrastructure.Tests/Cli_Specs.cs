using Billing.Testing;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

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
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("completed", status.Stdout);
        Assert.Contains("EUR", status.Stdout);
        // Totals as money in the currency, never as minor units.
        await using var totals = await h.Db.DataSource.OpenConnectionAsync();
        var sum = await totals.ExecuteScalarAsync<long>("select sum(total_minor) from invoices");
        Assert.Contains($"totals: EUR {(sum / 100m).ToString("N2", System.Globalization.CultureInfo.InvariantCulture)} over 5 invoices", status.Stdout);
        Assert.DoesNotContain("minor units", status.Stdout);

        var invoiceId = await conn.ExecuteScalarAsync<Guid>("select id from invoices order by number limit 1");
        var trace = await conn.ExecuteScalarAsync<string>("select trace_id from invoices where id = @invoiceId", new { invoiceId });
        var show = await h.CliAsync("invoice", "show", invoiceId.ToString());
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("INV-2026-000001", show.Stdout);
        Assert.Contains("base fee", show.Stdout);
        Assert.Contains(trace!, show.Stdout);

        var list = await h.CliAsync("invoice", "list", "--run", runId.ToString());
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("INV-2026-000005", list.Stdout);
        // Piped, a list is tab-separated rows under a header line: no box drawing, no colour codes, money as money.
        Assert.DoesNotContain('\u001b', list.Stdout);
        Assert.DoesNotMatch("[│─╭╮╰╯┼]", list.Stdout);
        var rows = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeWhile(l => !l.StartsWith("showing ", StringComparison.Ordinal)).ToList();
        Assert.Equal("number\tid\tperiod\ttotal\temail\tsynced", rows[0]);
        Assert.Equal(6, rows.Count);
        foreach (var row in rows.Skip(1))
        {
            var cells = row.Split('\t');
            Assert.Equal(6, cells.Length);
            var total = await conn.ExecuteScalarAsync<long>("select total_minor from invoices where number = @number", new { number = cells[0] });
            Assert.Equal("EUR " + (total / 100m).ToString("N2", System.Globalization.CultureInfo.InvariantCulture), cells[3]);
        }
        Assert.Equal(rows.Skip(1).Select(r => r.Split('\t')[0]).Order(StringComparer.Ordinal), rows.Skip(1).Select(r => r.Split('\t')[0]));
        // Paged by key in number order: the footer's command continues where the page ended.
        var page = await h.CliAsync("invoice", "list", "--run", runId.ToString(), "--limit", "2");
        var pageNumbers = page.Stdout.Split('\n').Skip(1).Where(l => l.StartsWith("INV-", StringComparison.Ordinal)).Select(l => l.Split('\t')[0]).ToList();
        Assert.Equal(["INV-2026-000001", "INV-2026-000002"], pageNumbers);
        var nextCommand = System.Text.RegularExpressions.Regex.Match(page.Stdout, "showing 2 of 5 invoices — next: billing (.+)").Groups[1].Value.Trim();
        Assert.Contains("--after ", nextCommand);
        var second = await h.CliAsync(nextCommand.Split(' '));
        Assert.Equal(["INV-2026-000003", "INV-2026-000004"],
            second.Stdout.Split('\n').Where(l => l.StartsWith("INV-", StringComparison.Ordinal)).Select(l => l.Split('\t')[0]).ToList());
        Assert.Contains("showing 3–4 of 5 invoices", second.Stdout);
        var none = await h.CliAsync("invoice", "list", "--account", Guid.NewGuid().ToString());
        Assert.Equal(0, none.ExitCode);
        Assert.Equal("number\tid\tperiod\ttotal\temail\tsynced", none.Stdout.Split('\n')[0]);
        Assert.Contains("no invoices", none.Stderr);

        // Re-attached to a run started elsewhere, --watch follows it to its end.
        var reattached = await h.CliAsync("run", "status", "--period", RunHarness.Period, "--watch");
        Assert.True(reattached.ExitCode == 0, reattached.Stderr + reattached.Stdout);
        Assert.Contains("completed", reattached.Stdout);

        var whoami = await h.CliAsync("whoami");
        Assert.Equal((0, "ops (operator)\n"), (whoami.ExitCode, whoami.Stdout));

        // Every command that prints data answers JSON with --output json, and only JSON.
        var accountId = await conn.ExecuteScalarAsync<Guid>("select account_id from invoices where id = @invoiceId", new { invoiceId });
        string[][] dataCommands =
        [
            ["health"], ["whoami"], ["run", "list"], ["run", "status", runId.ToString()], ["run", "status", "--period", RunHarness.Period],
            ["invoice", "list", "--run", runId.ToString()], ["invoice", "show", invoiceId.ToString()], ["invoice", "deliveries", invoiceId.ToString()],
            ["plans", "list"], ["plans", "show", "team"], ["accounts", "list"], ["accounts", "show", accountId.ToString()],
            ["accounts", "history", accountId.ToString()], ["charges", "list", "--account", accountId.ToString()],
            ["errors", "list"], ["suppressions", "list"], ["reconcile"],
        ];
        foreach (var command in dataCommands)
        {
            var json = await h.CliAsync([.. command, "--output", "json"]);
            var what = string.Join(' ', command);
            Assert.True(json.ExitCode is 0 or 1, $"{what}: exit {json.ExitCode} {json.Stderr}");
            Assert.True(json.Stdout.TrimStart().StartsWith('{') || json.Stdout.TrimStart().StartsWith('['), $"{what}: {json.Stdout}");
            using var parsed = System.Text.Json.JsonDocument.Parse(json.Stdout);
        }
        var shown = System.Text.Json.JsonDocument.Parse((await h.CliAsync("invoice", "show", invoiceId.ToString(), "--output", "json")).Stdout).RootElement;
        Assert.Equal("INV-2026-000001", shown.GetProperty("number").GetString());
        var runs = await h.CliAsync("run", "list", "--limit", "1");
        Assert.Equal(0, runs.ExitCode);
        Assert.Contains(runId.ToString(), runs.Stdout);
        Assert.Contains("showing 1 of 1 runs", runs.Stdout);
        var beyond = await h.CliAsync("run", "list", "--offset", "5");
        Assert.Contains("no runs", beyond.Stderr);
        var badOffset = await h.CliAsync("run", "list", "--offset", "-1");
        Assert.Equal(1, badOffset.ExitCode);
        Assert.Contains("offset", badOffset.Stderr);
        var badOutput = await h.CliAsync("run", "list", "--output", "yaml");
        Assert.NotEqual(0, badOutput.ExitCode);
        Assert.Contains("yaml", badOutput.Stderr);

        // Shell completion: the script, and billing answering what it asks.
        var bash = await h.CliAsync("completion", "bash");
        Assert.Equal(0, bash.ExitCode);
        Assert.Contains("complete -o default -F _billing_complete billing", bash.Stdout);
        Assert.Contains("#compdef billing", (await h.CliAsync("completion", "zsh")).Stdout);
        Assert.NotEqual(0, (await h.CliAsync("completion", "fish")).ExitCode);
        var suggested = await h.CliAsync("[suggest:5]", " run ");
        Assert.Contains("start", suggested.Stdout.Split('\n').Select(l => l.Trim()));
        Assert.Contains("status", suggested.Stdout.Split('\n').Select(l => l.Trim()));

        var retry = await h.CliAsync("run", "retry-failed", runId.ToString());
        Assert.Equal(0, retry.ExitCode);
        Assert.Contains("retried 0", retry.Stdout);

        var unknown = await h.CliAsync("run", "status", Guid.NewGuid().ToString());
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("HTTP 404", unknown.Stderr);
    }
}
