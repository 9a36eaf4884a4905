using System.Net;
using System.Net.Http.Json;
using Billing.Invoicing;
using Billing.Testing;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

public sealed class When_a_run_is_requested_with_bad_input : IAsyncLifetime
{
    private RunHarness h = null!;

    public async Task InitializeAsync() => h = await RunHarness.StartAsync("runbad");

    public async Task DisposeAsync() => await h.DisposeAsync();

    // Periods that have not ended are computed from today: a fixed month would be refused only until the calendar passes it.
    private static readonly BillingPeriod Current = BillingPeriod.Of(DateTimeOffset.UtcNow);

    public static TheoryData<string, string> Bodies() => new()
    {
        { """{"period":"2026-13"}""", "not a period" },
        { """{"period":"10-2026"}""", "not a period" },
        { """{"period":"2026-1"}""", "not a period" },
        { """{}""", "is required" },
        { $$"""{"period":"{{Current.Next()}}"}""", "has not ended" },
        { $$"""{"period":"{{BillingPeriod.Of(Current.Start.AddYears(5))}}"}""", "has not ended" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Does_answer_400_naming_the_period_and_writes_nothing(string body, string message)
    {
        var response = await h.Http.PostAsync("/api/runs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"period\"", text);
        Assert.Contains(message, text);
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("select count(*) from invoice_runs where period <> '2026-09'"));
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Does_answer_a_preview_400_naming_the_period_and_writes_nothing(string body, string message)
    {
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        var before = await When_a_run_is_previewed.RowCountsAsync(conn);
        var response = await h.Http.PostAsync("/api/runs/preview", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"period\"", text);
        Assert.Contains(message, text);
        Assert.Equal(before, await When_a_run_is_previewed.RowCountsAsync(conn));
    }

    [Fact]
    public async Task Does_refuse_a_second_run_of_a_period_while_one_is_running()
    {
        // No accounts are billed in 2026-09 here, but the first run stays running until its checks pass.
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("insert into invoice_runs (id, period) values (gen_random_uuid(), '2026-08')");
        var second = await h.Http.PostAsJsonAsync("/api/runs", new { period = "2026-08" });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Contains("still running", await second.Content.ReadAsStringAsync());
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("select count(*) from invoice_runs where period = '2026-08'"));
    }

    [Fact]
    public async Task Does_answer_404_for_an_unknown_run_and_400_for_a_bad_invoice_filter()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await h.Http.GetAsync($"/api/runs/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await h.Http.PostAsync($"/api/runs/{Guid.NewGuid()}/retry-failed", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await h.Http.GetAsync($"/api/invoices/{Guid.NewGuid()}")).StatusCode);
        var bad = await h.Http.GetAsync("/api/invoices?run_id=nope&limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var text = await bad.Content.ReadAsStringAsync();
        Assert.Contains("run_id", text);
        Assert.Contains("limit", text);
    }

    [Fact]
    public async Task Does_make_the_cli_print_one_line_and_exit_non_zero()
    {
        var (code, stdout, stderr) = await Cli("run", "start", "--period", "2026-13");
        Assert.NotEqual(0, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("period", line);
        Assert.Contains("HTTP 400", line);
        Assert.Equal("", stdout.Trim());
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("select count(*) from invoice_runs where period = '2026-13'"));
    }

    private Task<CliResult> Cli(params string[] args) => h.CliAsync(args);
}
