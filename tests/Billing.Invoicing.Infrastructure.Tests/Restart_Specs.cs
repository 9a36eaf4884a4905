using System.Net;
using System.Net.Sockets;
using Billing.Contracts;
using Billing.Invoicing;
using Billing.Testing;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>
/// Only the work faults a message: a generator that cannot start (its HTTP port is taken) while its queue is full,
/// and one stopped with SIGTERM in the middle of the work, leave every message to a healthy instance.
/// </summary>
public sealed class When_a_generator_fails_to_start_or_is_stopped_while_its_queue_is_full : IAsyncLifetime
{
    private const int Accounts = 3000;
    private const string Queue = "generate-invoice";
    private static readonly string Period = BillingPeriod.Of(DateTimeOffset.UtcNow).Before().ToString();

    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private WebApplication publisher = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("restart");
        vhost = await TestVhost.CreateAsync("restart");
        await Seed.RunAsync(db.DataSource, Accounts, Period);
        publisher = await InProcessService.StartAsync("restart-publisher", db, vhost, _ => { });
    }

    public async Task DisposeAsync()
    {
        await publisher.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    private Dictionary<string, string?> Env() => new()
    {
        ["Postgres__ConnectionString"] = db.ConnectionString,
        ["RabbitMq__Url"] = vhost.AmqpUrl,
        ["RabbitMq__ManagementUrl"] = TestServers.RabbitManagementUrl,
        ["RabbitMq__RetryInitialMs"] = "20",
        ["RabbitMq__RetryIncrementMs"] = "20",
    };

    private ServiceProcess Generator(int? port = null) => ServiceProcess.Start("invoice-generator", "Billing.InvoiceGenerator", Env(), port);

    private async Task<int> InvoicesAsync(Guid runId)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("select count(*) from invoices where run_id = @runId", new { runId });
    }

    private async Task<long> MessagesAsync(string queue)
    {
        var q = await vhost.QueueAsync(queue);
        return q is { } e && e.TryGetProperty("messages", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.Number ? m.GetInt64() : 0;
    }

    private async Task<Guid> FillQueueAsync()
    {
        // A first start declares the queue; then the requests wait in it with no consumer.
        await using (var first = Generator())
        {
            await first.WaitHealthyAsync();
            Assert.Equal(0, await first.StopAsync());
        }
        var runId = Guid.NewGuid();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("insert into invoice_runs (id, period) values (@runId, @Period)", new { runId, Period });
        var ids = (await conn.QueryAsync<Guid>("select id from accounts")).ToList();
        var bus = publisher.Services.GetRequiredService<IBus>();
        await Task.WhenAll(ids.Select(id => bus.Publish(new GenerateInvoice(runId, id, Period))));
        await Eventually.Until(() => MessagesAsync(Queue), n => n == Accounts, TimeSpan.FromSeconds(30));
        return runId;
    }

    [Fact]
    public async Task A_start_failure_takes_nothing_and_a_healthy_instance_invoices_every_account_once()
    {
        var runId = await FillQueueAsync();

        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using (var failing = Generator(port))
        {
            var code = await failing.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, code);
            var line = Assert.Single(failing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("invoice-generator: cannot start", StringComparison.Ordinal));
            Assert.Contains($"127.0.0.1:{port}", line);
            Assert.Contains("in use", line);
            Assert.DoesNotContain("R-RETRY", failing.Output);
            Assert.DoesNotContain("Exception", failing.Output);
            Assert.DoesNotContain("Failed to stop", failing.Output);
        }
        // Nothing was consumed: no invoice, every request still in its queue, none dead-lettered.
        Assert.Equal(0, await InvoicesAsync(runId));
        await Eventually.Until(() => MessagesAsync(Queue), n => n == Accounts, TimeSpan.FromSeconds(30));
        Assert.Equal(0, await MessagesAsync(Queue + "_error"));

        await using var healthy = Generator();
        await healthy.WaitHealthyAsync();
        await Eventually.Until(() => InvoicesAsync(runId), n => n == Accounts, TimeSpan.FromSeconds(180));
        Assert.Equal(0, await healthy.StopAsync());
        Assert.Equal(0, await MessagesAsync(Queue + "_error"));
        await AssertOneGaplessInvoicePerAccountAsync(runId);
    }

    [Fact]
    public async Task SIGTERM_in_the_middle_exits_0_dead_letters_nothing_and_loses_nothing()
    {
        var runId = await FillQueueAsync();

        await using (var busy = Generator())
        {
            await busy.WaitHealthyAsync();
            await Eventually.Until(() => InvoicesAsync(runId), n => n > 0, TimeSpan.FromSeconds(60));
            var stopped = DateTime.UtcNow;
            Assert.Equal(0, await busy.StopAsync(TimeSpan.FromSeconds(45)));
            Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(35), "stopped within the 30 s bus stop timeout");
        }
        var afterStop = await InvoicesAsync(runId);
        Assert.True(afterStop < Accounts, $"the stop came in the middle of the work ({afterStop} of {Accounts} invoiced)");
        Assert.Equal(0, await MessagesAsync(Queue + "_error"));

        await using var next = Generator();
        await next.WaitHealthyAsync();
        await Eventually.Until(() => InvoicesAsync(runId), n => n == Accounts, TimeSpan.FromSeconds(180));
        Assert.Equal(0, await next.StopAsync());
        Assert.Equal(0, await MessagesAsync(Queue + "_error"));
        await AssertOneGaplessInvoicePerAccountAsync(runId);
    }

    private async Task AssertOneGaplessInvoicePerAccountAsync(Guid runId)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(Accounts, await conn.ExecuteScalarAsync<int>("select count(distinct account_id) from invoices where run_id = @runId", new { runId }));
        var numbers = (await conn.QueryAsync<string>("select number from invoices where run_id = @runId", new { runId }))
            .Select(n => int.Parse(n[(n.LastIndexOf('-') + 1)..])).Order().ToList();
        Assert.Equal(Enumerable.Range(numbers[0], Accounts), numbers);
    }
}
