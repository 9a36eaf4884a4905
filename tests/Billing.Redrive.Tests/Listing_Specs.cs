using System.Text;
using Billing.Redrive.Tests.Infrastructure;
using RabbitMQ.Client;

namespace Billing.Redrive.Tests;

public sealed class When_listing_dead_letter_queues : IAsyncLifetime
{
    private readonly RabbitVhost _vhost = new();
    private IConnection _connection = null!;

    public async Task InitializeAsync()
    {
        await _vhost.InitializeAsync();
        _connection = await _vhost.ConnectAsync();
        await AmqpQueues.DeclareAsync(_connection, "mail", "mail_skipped", "ledger", "ledger_error", "busy");
        var old = DateTimeOffset.UtcNow.AddHours(-3);
        await AmqpQueues.PublishAsync(_connection, "ledger_error", [
            FakeFaults.Make(new(FakeFaults.NewId(), "ledger", _vhost.Name, FaultedAt: old)),
            FakeFaults.Make(new(FakeFaults.NewId(), "ledger", _vhost.Name))]);
        // MassTransit moves a message no consumer took to _skipped with MT-Reason only: no fault headers, no input address.
        var skipped = new BasicProperties
        {
            MessageId = "skipped-1",
            Headers = new Dictionary<string, object?> { ["MT-Reason"] = Encoding.UTF8.GetBytes("skipped") },
        };
        var body = """{"messageId":"skipped-1","messageType":["urn:message:Billing.Contracts:SendInvoiceEmail"],"message":{"invoiceId":"i-9"},"sentTime":"2026-11-01T00:00:00Z"}""";
        await AmqpQueues.PublishAsync(_connection, "mail_skipped", [(skipped, Encoding.UTF8.GetBytes(body))]);
        await AmqpQueues.PublishAsync(_connection, "busy", [(new BasicProperties(), "{}"u8.ToArray())]);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _vhost.DisposeAsync();
    }

    [Fact]
    public async Task Shows_only_dead_letter_queues_with_counts_and_the_age_of_the_oldest()
    {
        var queues = await new DeadLetterQueues(_vhost.Options()).ListAsync();

        Assert.Equal(["ledger_error", "mail_skipped"], queues.Select(q => q.Name));
        var ledger = queues[0];
        Assert.Equal((2L, "ledger", DeadLetterKind.Error), (ledger.Messages, ledger.SourceQueue, ledger.Kind));
        Assert.InRange(ledger.OldestAge!.Value, TimeSpan.FromHours(2.9), TimeSpan.FromHours(3.1));
        Assert.Equal(DeadLetterKind.Skipped, queues[1].Kind);
        Assert.True(queues[1].OldestAge > TimeSpan.FromDays(1)); // from the envelope's sentTime
    }

    [Fact]
    public async Task Redrives_a_skipped_message_to_the_queue_it_was_skipped_on()
    {
        var peeked = Assert.Single(await new DeadLetterInspector(_vhost.Options()).PeekAsync("mail_skipped"));
        var result = await new Redriver(_vhost.Options()).RunAsync(new RedriveRequest("mail_skipped", "dfr"));

        Assert.Equal(("mail", "skipped", "i-9"), (peeked.OriginalQueue, peeked.FaultReason, peeked.BusinessKeys["invoiceId"]));
        Assert.Equal(1, result.Moved);
        var replayed = Assert.Single(await Broker.DrainAsync(_connection, "mail"));
        Assert.Null(replayed.Header("MT-Reason"));
        Assert.Equal("1", replayed.Header(RedriveHeaders.RedriveCount));
    }
}
