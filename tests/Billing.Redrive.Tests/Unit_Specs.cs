using System.Text;
using RabbitMQ.Client;

namespace Billing.Redrive.Tests;

public sealed class When_reading_queue_names_and_addresses
{
    [Theory]
    [InlineData("rabbitmq://127.0.0.1:5673/billing/generate-invoice?bind=true", "generate-invoice")]
    [InlineData("rabbitmq://localhost/generate-invoice", "generate-invoice")]
    [InlineData("queue:render-pdf", "render-pdf")]
    [InlineData("rabbitmq://localhost/", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Finds_the_queue_in_a_MassTransit_address(string? address, string? queue) =>
        Assert.Equal(queue, QueueNames.FromAddress(address));

    [Theory]
    [InlineData("generate-invoice_error", DeadLetterKind.Error, "generate-invoice")]
    [InlineData("generate-invoice_skipped", DeadLetterKind.Skipped, "generate-invoice")]
    [InlineData("generate-invoice_parked", DeadLetterKind.Parked, "generate-invoice")]
    [InlineData("generate-invoice_error_archive", DeadLetterKind.Archive, "generate-invoice_error")]
    public void Knows_dead_letter_queues_and_their_source(string queue, DeadLetterKind kind, string source)
    {
        Assert.Equal(kind, QueueNames.KindOf(queue));
        Assert.Equal(source, QueueNames.SourceOf(queue));
    }

    [Fact]
    public void Does_not_take_an_ordinary_queue_for_a_dead_letter_queue() => Assert.Null(QueueNames.KindOf("generate-invoice"));
}

public sealed class When_a_message_is_prepared_for_replay
{
    private static readonly BasicProperties Source = new()
    {
        MessageId = "m-1",
        CorrelationId = "c-1",
        ContentType = "application/vnd.masstransit+json",
        DeliveryMode = DeliveryModes.Persistent,
        Expiration = "60000",
        UserId = "someone-else",
        Headers = new Dictionary<string, object?>
        {
            ["MT-Fault-ExceptionType"] = "X"u8.ToArray(),
            ["mt-fault-message"] = "lower case too"u8.ToArray(),
            ["MT-Reason"] = "fault"u8.ToArray(),
            ["MT-Host-MachineName"] = "vm"u8.ToArray(),
            ["x-death"] = new List<object>(),
            ["x-first-death-queue"] = "q"u8.ToArray(),
            ["x-last-death-reason"] = "rejected"u8.ToArray(),
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"u8.ToArray(),
            ["tracestate"] = "vendor=1"u8.ToArray(),
            ["MT-Activity-Id"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"u8.ToArray(),
            ["Billing-Redrive-Count"] = 2,
            ["Billing-Redrive-Id"] = "old"u8.ToArray(),
            ["tenant"] = "acme"u8.ToArray(),
        },
    };

    [Fact]
    public void Strips_failure_headers_keeps_ids_and_trace_and_counts_the_redrive()
    {
        var id = Guid.NewGuid();
        var replay = Properties.Replay(Source, "guest", 3, id);

        Assert.Equal(["Billing-Redrive-Count", "Billing-Redrive-Id", "MT-Activity-Id", "tenant", "traceparent", "tracestate"], replay.Headers!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, replay.Headers["Billing-Redrive-Count"]);
        Assert.Equal(id.ToString(), Encoding.UTF8.GetString((byte[])replay.Headers["Billing-Redrive-Id"]!));
        Assert.Equal(("m-1", "c-1", DeliveryModes.Persistent), (replay.MessageId, replay.CorrelationId, replay.DeliveryMode));
        Assert.False(replay.IsExpirationPresent());
        Assert.False(replay.IsUserIdPresent());
        Assert.Equal(13, Source.Headers!.Count); // the delivery's own properties are untouched
    }

    [Fact]
    public void Copies_everything_for_a_plain_move_except_another_users_id()
    {
        var copy = Properties.Copy(Source, "guest");

        Assert.Equal(Source.Headers!.Keys, copy.Headers!.Keys);
        Assert.Equal("60000", copy.Expiration);
        Assert.False(copy.IsUserIdPresent());
        Assert.Equal("guest", Properties.Copy(new BasicProperties { UserId = "guest" }, "guest").UserId);
    }
}

public sealed class When_reading_a_dead_lettered_body
{
    private static DeadLetterMessage Read(string body, Dictionary<string, object?>? headers = null) =>
        new Delivery(1, false, new BasicProperties { Headers = headers }, Encoding.UTF8.GetBytes(body)).Read("render-pdf_error");

    [Fact]
    public void Takes_business_keys_and_type_from_the_envelope()
    {
        var m = Read("""{"messageId":"m","messageType":["urn:message:Billing.Contracts:InvoiceFinalized"],"message":{"invoiceId":"i-1","accountId":"a-1","runId":"r-1","period":"2026-10","totalMinor":5},"sentTime":"2026-11-01T00:00:00Z"}""");

        Assert.Equal("m", m.MessageId);
        Assert.Equal("urn:message:Billing.Contracts:InvoiceFinalized", m.MessageType);
        Assert.Equal(["accountId", "invoiceId", "period", "runId"], m.BusinessKeys.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), m.SeenAt);
        Assert.Equal("render-pdf", m.OriginalQueue); // no fault address: the queue name without _error
    }

    [Fact]
    public void Survives_a_body_that_is_not_json()
    {
        var m = Read("not json {", new() { ["MT-Reason"] = "skipped"u8.ToArray() });

        Assert.Null(m.MessageType);
        Assert.Empty(m.BusinessKeys);
        Assert.Equal("skipped", m.FaultReason);
        Assert.Equal("", m.Group.ExceptionType);
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "0af7651916cd43dd8448eb211c80319c")]
    [InlineData("garbage", null)]
    [InlineData("00-short-b7ad6b7169203331-01", null)]
    public void Reads_the_trace_id_of_a_traceparent(string traceParent, string? traceId) =>
        Assert.Equal(traceId, MessageReader.TraceIdOf(traceParent));

    [Fact]
    public void Groups_by_the_first_frame_without_file_paths()
    {
        Assert.Equal("at A.B()", GroupKey.FirstFrameOf("   at A.B() in /src/a.cs:line 3\n   at C.D()"));
        Assert.Equal("", GroupKey.FirstFrameOf(null));
        Assert.Equal(new GroupKey("E", "M", "F").Id, new GroupKey("E", "M", "F").Id);
        Assert.NotEqual(new GroupKey("E", "M", "F").Id, new GroupKey("E", "M", "G").Id);
    }
}

public sealed class When_options_are_wrong
{
    [Fact]
    public async Task Refuses_them_before_connecting()
    {
        var bad = new RedriveOptions { AmqpUri = new("amqp://guest:guest@127.0.0.1:1/"), ManagementUri = new("http://127.0.0.1:1/"), BatchSize = 0 };
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new Redriver(bad).PlanAsync("x_error"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new Redriver(bad).RunAsync(new RedriveRequest("x_error", "dfr")));
    }
}
