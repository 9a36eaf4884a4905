using Billing.Contracts;
using Billing.Redrive.Tests.Infrastructure;

namespace Billing.Redrive.Tests;

/// <summary>Three invoices fail, a dry run is planned, the cause is fixed, and the error queue is redriven.</summary>
public sealed class FixedAndRedriven : IAsyncLifetime
{
    public RabbitVhost Vhost { get; } = new();
    public AuditDatabase Database { get; } = new();
    public FailingBus Bus { get; private set; } = null!;
    public List<(GenerateInvoice Message, string TraceId)> Sent { get; } = [];
    public IReadOnlyList<DeadLetterMessage> Before { get; private set; } = [];
    public RedrivePlan Plan { get; private set; } = null!;
    public RedriveResult DryRun { get; private set; } = null!;
    public RedriveResult Run { get; private set; } = null!;
    public List<RedriveProgress> Progress { get; } = [];
    public uint ErrorCountAfter { get; private set; }

    public async Task InitializeAsync()
    {
        await Vhost.InitializeAsync();
        await Database.InitializeAsync();
        Bus = await FailingBus.StartAsync(Vhost);
        Sent.AddRange(await Bus.DeadLetterAsync(Vhost, 3));
        await using var connection = await Vhost.ConnectAsync();
        var options = Vhost.Options();
        Before = await new DeadLetterInspector(options).PeekAsync(FailingBus.ErrorQueue, 10);
        var redriver = new Redriver(options, Database.Store);
        Plan = await redriver.PlanAsync(FailingBus.ErrorQueue);
        DryRun = await redriver.RunAsync(new RedriveRequest(FailingBus.ErrorQueue, "dfr@example.com") { DryRun = true });

        Bus.Consumer.Broken = false;
        Run = await redriver.RunAsync(new RedriveRequest(FailingBus.ErrorQueue, "dfr@example.com"), new Collect(Progress));
        for (var i = 0; i < 100 && Bus.Consumer.Processed.Count < 3; i++) await Task.Delay(100);
        await Task.Delay(500); // a duplicate, if any, would show up here
        ErrorCountAfter = await Broker.CountAsync(connection, FailingBus.ErrorQueue);
    }

    public async Task DisposeAsync()
    {
        await Bus.DisposeAsync();
        await Vhost.DisposeAsync();
        await Database.DisposeAsync();
    }

    private sealed class Collect(List<RedriveProgress> into) : IProgress<RedriveProgress>
    {
        public void Report(RedriveProgress value) { lock (into) into.Add(value); }
    }
}

public sealed class When_the_cause_is_fixed_and_the_queue_is_redriven(FixedAndRedriven fixture) : IClassFixture<FixedAndRedriven>
{
    [Fact]
    public void Processes_each_message_exactly_once_and_empties_the_error_queue()
    {
        Assert.Equal(3, fixture.Run.Moved);
        Assert.Equal(0, fixture.Run.Failed + fixture.Run.Skipped + fixture.Run.Parked);
        Assert.False(fixture.Run.Cancelled);
        Assert.Equal(0u, fixture.ErrorCountAfter);
        Assert.Equal(3, fixture.Bus.Consumer.Processed.Count);
        Assert.Equal(
            fixture.Sent.Select(s => s.Message.AccountId).Order(),
            fixture.Bus.Consumer.Processed.Select(p => p.Message.AccountId).Order());
    }

    [Fact]
    public void Replays_without_fault_headers_but_with_ids_trace_and_redrive_count()
    {
        foreach (var (message, messageId, headers) in fixture.Bus.Consumer.Processed)
        {
            Assert.DoesNotContain(headers.Keys, k => k.StartsWith("MT-Fault-") || k == "MT-Reason" || k.StartsWith("x-death") || k.StartsWith("MT-Host-"));
            Assert.Equal(1, Convert.ToInt32(headers[RedriveHeaders.RedriveCount]));
            Assert.Equal(fixture.Run.RedriveId.ToString(), HeaderValues.AsString(headers[RedriveHeaders.RedriveId]));
            var before = Assert.Single(fixture.Before, b => b.BusinessKeys["accountId"] == message.AccountId.ToString());
            Assert.Equal(before.MessageId, messageId?.ToString());
            var trace = fixture.Sent.Single(s => s.Message.AccountId == message.AccountId).TraceId;
            Assert.Contains(trace, HeaderValues.AsString(headers[RedriveHeaders.ActivityId]));
        }
    }

    [Fact]
    public void Dry_run_reports_what_the_real_run_then_moves()
    {
        Assert.True(fixture.DryRun.DryRun);
        Assert.Equal(fixture.Run.Moved, fixture.DryRun.Moved);
        Assert.Equal(3, fixture.Plan.Moved);
        Assert.Equal(3, fixture.Plan.ByTargetQueue[FailingBus.Queue]);
        Assert.Equal(3, Assert.Single(fixture.Plan.ByGroup).Count);
        Assert.Empty(fixture.Plan.MissingQueues);
        Assert.True(fixture.Plan.Complete);
    }

    [Fact]
    public void Reports_progress_up_to_the_total()
    {
        Assert.NotEmpty(fixture.Progress);
        var last = fixture.Progress[^1];
        Assert.Equal(3, last.Total);
        Assert.Equal(3, last.Processed);
        Assert.Equal(fixture.Run.RedriveId, last.RedriveId);
    }

    [Fact]
    public async Task Audit_log_has_the_dry_run_and_the_real_run()
    {
        var rows = await fixture.Database.Store.ListAsync(FailingBus.ErrorQueue);

        Assert.Equal(2, rows.Count);
        var dry = Assert.Single(rows, r => r.DryRun);
        var real = Assert.Single(rows, r => !r.DryRun);
        Assert.Equal(fixture.DryRun.RedriveId, dry.Id);
        Assert.Equal(fixture.Run.RedriveId, real.Id);
        Assert.All(rows, r => Assert.Equal("dfr@example.com", r.RequestedBy));
        Assert.All(rows, r => Assert.Equal(RedriveActions.Redrive, r.Action));
        Assert.All(rows, r => Assert.Equal(RedriveOutcomes.Completed, r.Outcome));
        Assert.Equal(3, real.Moved);
        Assert.Equal(3, dry.Moved);
        Assert.Equal("{}", real.FilterJson);
    }
}
