using Billing.Redrive.Tests.Infrastructure;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace Billing.Redrive.Tests;

/// <summary>Moves interrupted by a cancel or by a dropped connection, and targets that do not exist.</summary>
public abstract class FakeErrorQueue(int count) : IAsyncLifetime
{
    protected const string Target = "sync-ledger";
    protected const string Error = Target + "_error";
    protected readonly RabbitVhost Vhost = new();
    protected readonly List<string> Ids = [];
    protected IConnection Connection = null!;

    public async Task InitializeAsync()
    {
        await Vhost.InitializeAsync();
        Connection = await Vhost.ConnectAsync();
        await AmqpQueues.DeclareAsync(Connection, Target, Error);
        Ids.AddRange(Enumerable.Range(0, count).Select(_ => FakeFaults.NewId()));
        await AmqpQueues.PublishAsync(Connection, Error, Ids.Select(id => FakeFaults.Make(new(id, Target, Vhost.Name))));
    }

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Vhost.DisposeAsync();
    }

    protected async Task<(int Delivered, int Dead)> AssertNothingLostAsync(long movedReported)
    {
        var delivered = (await Broker.DrainAsync(Connection, Target)).Select(m => m.Properties.MessageId!).ToList();
        var dead = (await Broker.DrainAsync(Connection, Error)).Select(m => m.Properties.MessageId!).ToList();
        Assert.Empty(Ids.Except(delivered.Concat(dead)));
        Assert.True(delivered.Count + dead.Count >= Ids.Count);
        Assert.True(delivered.Count >= movedReported, $"{delivered.Count} delivered but {movedReported} reported moved");
        Assert.All(delivered, id => Assert.Contains(id, Ids));
        return (delivered.Count, dead.Count);
    }
}

public sealed class When_a_redrive_is_cancelled_midway() : FakeErrorQueue(2_000)
{
    [Fact]
    public async Task Stops_soon_and_loses_nothing()
    {
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Processed >= 500) cts.Cancel(); });

        var result = await new Redriver(Vhost.Options(batchSize: 100)).RunAsync(new RedriveRequest(Error, "dfr"), progress, cts.Token);

        Assert.True(result.Cancelled);
        Assert.InRange(result.Moved, 500, 1_999);
        Assert.Equal((uint)(Ids.Count - result.Moved), await Broker.CountAsync(Connection, Error));
        await AssertNothingLostAsync(result.Moved);
    }
}

public sealed class When_the_connection_dies_midway(ITestOutputHelper output) : FakeErrorQueue(10_000)
{
    [Fact]
    public async Task Every_message_is_still_dead_lettered_or_delivered()
    {
        // Throttled so the remaining ≥ 3,000 messages outlast the kill request, which then lands mid-batch.
        var killAt = Random.Shared.Next(500, 7_000);
        var killed = 0;
        var kill = Task.CompletedTask;
        long reportedAtKill = 0;
        var progress = new SyncProgress(p =>
        {
            if (p.Processed < killAt || Interlocked.Exchange(ref killed, 1) == 1) return;
            reportedAtKill = p.Moved;
            // The management API lists a new connection only after its next stats tick: wait here (between batches) until it does.
            var names = WaitForRedriveConnection();
            // Closed by the broker while the redrive carries on with its next batch: to the client this is a crash, not a cancel.
            kill = Task.Run(async () =>
            {
                foreach (var name in names) await Vhost.Management.CloseConnectionAsync(name, default);
            });
        });

        var error = await Record.ExceptionAsync(() => new Redriver(Vhost.Options(batchSize: 200)).RunAsync(new RedriveRequest(Error, "dfr") { Rate = 5_000 }, progress));
        await kill;

        Assert.Equal(1, killed);
        Assert.NotNull(error);
        output.WriteLine($"killed after {killAt} processed ({reportedAtKill} moved reported): {error!.GetType().Name}: {error.Message}");
        await Broker.WaitForUnackedReturnedAsync(Vhost, Error);
        var (delivered, dead) = await AssertNothingLostAsync(reportedAtKill);
        output.WriteLine($"delivered {delivered}, still dead-lettered {dead}, duplicates {delivered + dead - Ids.Count}");
    }

    private IReadOnlyList<string> WaitForRedriveConnection()
    {
        for (var i = 0; i < 150; i++)
        {
            var names = Vhost.Management.ConnectionNamesAsync(Vhost.Name, "billing-redrive:redrive:", default).GetAwaiter().GetResult();
            if (names.Count > 0) return names;
            Thread.Sleep(100);
        }
        throw new TimeoutException("the redrive connection never showed up in the management API");
    }
}

public sealed class When_the_target_queue_does_not_exist() : FakeErrorQueue(0)
{
    [Fact]
    public async Task Counts_the_message_as_failed_and_keeps_it_dead_lettered()
    {
        var id = FakeFaults.NewId();
        await AmqpQueues.PublishAsync(Connection, Error, [FakeFaults.Make(new(id, "gone-queue", Vhost.Name))]);
        var redriver = new Redriver(Vhost.Options());

        var plan = await redriver.PlanAsync(Error);
        var result = await redriver.RunAsync(new RedriveRequest(Error, "dfr"));

        Assert.Equal(["gone-queue"], plan.MissingQueues);
        Assert.Equal(1, plan.Failed);
        Assert.Equal(1, result.Failed);
        Assert.Equal(0, result.Moved);
        var left = Assert.Single(await Broker.DrainAsync(Connection, Error));
        Assert.Equal(id, left.Properties.MessageId);
        Assert.Equal("System.InvalidOperationException", left.Header(RedriveHeaders.FaultExceptionType));
    }
}

internal sealed class SyncProgress(Action<RedriveProgress> report) : IProgress<RedriveProgress>
{
    public void Report(RedriveProgress value) => report(value);
}
