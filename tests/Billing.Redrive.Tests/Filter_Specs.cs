using Billing.Redrive.Tests.Infrastructure;
using RabbitMQ.Client;

namespace Billing.Redrive.Tests;

/// <summary>Thirty fake faults in one error queue: three accounts, two exception types, two message types, spread over time.</summary>
public sealed class When_a_filter_is_given : IAsyncLifetime
{
    private const string Target = "render-pdf";
    private const string Error = Target + "_error";
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly RabbitVhost _vhost = new();
    private readonly Guid[] _accounts = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
    private readonly List<FakeFaults.Spec> _specs = [];
    private IConnection _connection = null!;

    public async Task InitializeAsync()
    {
        await _vhost.InitializeAsync();
        _connection = await _vhost.ConnectAsync();
        await AmqpQueues.DeclareAsync(_connection, Target, Error);
        for (var i = 0; i < 30; i++)
            _specs.Add(new FakeFaults.Spec(FakeFaults.NewId(), Target, _vhost.Name,
                ExceptionType: i % 2 == 0 ? "System.TimeoutException" : "System.InvalidOperationException",
                MessageType: i % 5 == 0 ? "RenderInvoicePdf" : "GenerateInvoice",
                AccountId: _accounts[i % 3], FaultedAt: Start.AddMinutes(i)));
        await AmqpQueues.PublishAsync(_connection, Error, _specs.Select(FakeFaults.Make));
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _vhost.DisposeAsync();
    }

    private Task<RedriveResult> Redrive(RedriveFilter filter, bool dryRun = false) =>
        new Redriver(_vhost.Options(batchSize: 7)).RunAsync(new RedriveRequest(Error, "dfr") { Filter = filter, DryRun = dryRun });

    private async Task<(List<string> Moved, List<string> Left)> Outcome()
    {
        var moved = (await Broker.DrainAsync(_connection, Target)).Select(m => m.Properties.MessageId!).ToList();
        var left = (await Broker.DrainAsync(_connection, Error)).Select(m => m.Properties.MessageId!).ToList();
        return (moved, left);
    }

    [Fact]
    public async Task Moves_exactly_the_messages_of_one_account_and_keeps_the_rest_in_order()
    {
        var filter = new RedriveFilter { BusinessKey = $"accountId={_accounts[1]}" };
        var expected = _specs.Where(s => s.AccountId == _accounts[1]).Select(s => s.MessageId).ToList();

        var dry = await Redrive(filter, dryRun: true);
        var result = await Redrive(filter);
        var (moved, left) = await Outcome();

        Assert.Equal(10, result.Moved);
        Assert.Equal(20, result.Skipped);
        Assert.Equal((result.Moved, result.Skipped, result.Failed, result.Parked), (dry.Moved, dry.Skipped, dry.Failed, dry.Parked));
        Assert.Equal(expected.Order(), moved.Order());
        Assert.Equal(_specs.Select(s => s.MessageId).Except(expected), left);
    }

    [Fact]
    public async Task Combines_criteria_with_and()
    {
        var filter = new RedriveFilter { ExceptionType = "System.TimeoutException", MessageType = "RenderInvoicePdf" };

        var result = await Redrive(filter);
        var (moved, left) = await Outcome();

        var expected = _specs.Where(s => s.ExceptionType == "System.TimeoutException" && s.MessageType == "RenderInvoicePdf").Select(s => s.MessageId);
        Assert.Equal(3, result.Moved);
        Assert.Equal(expected.Order(), moved.Order());
        Assert.Equal(27, left.Count);
    }

    [Fact]
    public async Task Moves_a_list_of_ids_a_time_range_and_a_group()
    {
        var ids = new RedriveFilter { MessageIds = [_specs[3].MessageId, _specs[17].MessageId, "not-there"] };
        var range = new RedriveFilter { From = Start.AddMinutes(20), To = Start.AddMinutes(25) };
        var group = (await new DeadLetterInspector(_vhost.Options()).GroupAsync(Error))
            .Single(g => g.Key.ExceptionType == "System.InvalidOperationException" && g.Key.MessageType.EndsWith(":GenerateInvoice"));

        var byIds = await Redrive(ids);
        var byRange = await Redrive(range);
        var byGroup = await Redrive(new RedriveFilter { GroupId = group.Key.Id });
        var (moved, left) = await Outcome();

        Assert.Equal(2, byIds.Moved);
        Assert.Equal(5, byRange.Moved); // minutes 20..24
        var expectedGroup = _specs.Where((s, i) => i % 2 == 1 && i % 5 != 0 && i != 3 && i != 17 && (i < 20 || i >= 25)).Count();
        Assert.Equal(expectedGroup, byGroup.Moved);
        Assert.Equal(30, moved.Count + left.Count);
        Assert.Equal(2 + 5 + expectedGroup, moved.Count);
        Assert.Empty(moved.Intersect(left));
    }

    [Fact]
    public async Task Stops_at_the_limit()
    {
        var result = await new Redriver(_vhost.Options()).RunAsync(new RedriveRequest(Error, "dfr") { Limit = 4 });
        var (moved, left) = await Outcome();

        Assert.Equal(4, result.Moved);
        Assert.Equal(_specs.Take(4).Select(s => s.MessageId), moved);
        Assert.Equal(26, left.Count);
    }

    [Fact]
    public async Task Refuses_bad_filters_and_requests_before_touching_anything()
    {
        var redriver = new Redriver(_vhost.Options());
        await Assert.ThrowsAsync<ArgumentException>(() => Redrive(new RedriveFilter { BusinessKey = "accountId" }));
        await Assert.ThrowsAsync<ArgumentException>(() => Redrive(new RedriveFilter { MessageIds = [] }));
        await Assert.ThrowsAsync<ArgumentException>(() => Redrive(new RedriveFilter { From = Start, To = Start }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => redriver.RunAsync(new RedriveRequest(Error, "dfr") { Rate = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => redriver.RunAsync(new RedriveRequest(Error, "dfr") { BatchSize = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(() => redriver.RunAsync(new RedriveRequest(Error, " ")));
        await Assert.ThrowsAsync<ArgumentException>(() => redriver.RunAsync(new RedriveRequest(Target, "dfr")));
        await Assert.ThrowsAsync<QueueNotFoundException>(() => redriver.RunAsync(new RedriveRequest("missing_error", "dfr")));
        Assert.Equal(30u, await Broker.CountAsync(_connection, Error));
    }
}
