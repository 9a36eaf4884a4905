using System.Text.Json;
using Billing.Mailer.Tests.Infrastructure;
using Billing.Testing;
using Dapper;
using RabbitMQ.Client;

namespace Billing.Mailer.Tests;

public sealed class When_the_smtp_server_stops_during_a_batch : IAsyncLifetime
{
    private const int Invoices = 120;
    private const string ErrorQueue = MailerHarness.InputQueue + "_error";
    private MailerHarness h = null!;

    public async Task InitializeAsync() => h = await MailerHarness.StartAsync("mailoutage");

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Does_dead_letter_after_retries_and_email_each_invoice_exactly_once_after_redrive()
    {
        var invoices = new List<SeededInvoice>();
        for (var i = 0; i < Invoices; i++) invoices.Add(await h.InvoiceAsync());
        await Task.WhenAll(invoices.Select(inv => h.PublishRenderedAsync(inv)));

        await Wait.For(() => h.Smtp!.Messages().Count, n => n >= 5, h);
        await h.Smtp!.KillAsync();

        // Every invoice ends either accepted or, with its retries spent, in the error queue.
        var factory = new ConnectionFactory { Uri = new Uri(h.Vhost.AmqpUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var accepted = 0;
        uint deadLettered = 0;
        await Eventually.Until(async () =>
        {
            accepted = await AcceptedAsync();
            deadLettered = await ErrorQueueDepthAsync(connection);
            return accepted + (int)deadLettered;
        }, total => total == Invoices, TimeSpan.FromSeconds(120));
        Assert.True(deadLettered > 0, "the outage should leave messages in the error queue");
        Assert.Equal(accepted, h.Smtp.Messages().Count);

        await h.Smtp.StartAgainAsync();
        var redriven = await RedriveAsync(channel);
        Assert.Equal((int)deadLettered, redriven.Count);

        await Wait.For(() => AcceptedAsync().GetAwaiter().GetResult(), n => n == Invoices, h, seconds: 120);
        var mails = h.Smtp.Messages();
        Assert.Equal(Invoices, mails.Count);
        foreach (var invoice in invoices)
            Assert.Single(mails, m => m.EnvelopeTo == invoice.Email);
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        var attempts = (await conn.QueryAsync<(Guid, int)>("select invoice_id, attempt_count from email_deliveries")).ToDictionary(r => r.Item1, r => r.Item2);
        // Retried in memory (1 + RabbitMq__RetryLimit 3 attempts), dead-lettered, then sent once after the redrive.
        Assert.All(redriven, id => Assert.Equal(5, attempts[id]));
        Assert.Equal(0u, await ErrorQueueDepthAsync(connection));
    }

    private async Task<int> AcceptedAsync()
    {
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("select count(*) from email_deliveries where state = 'accepted'");
    }

    /// <summary>Exact depth (the management API's figures lag); 0 until the first fault creates the queue.</summary>
    private static async Task<uint> ErrorQueueDepthAsync(IConnection connection)
    {
        // A passive declare of a missing queue closes its channel, so each probe gets its own.
        await using var probe = await connection.CreateChannelAsync();
        try
        {
            return (await probe.QueueDeclarePassiveAsync(ErrorQueue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    /// <summary>The minimal redrive: take each dead-lettered message and publish it, unchanged, to the input queue.</summary>
    private static async Task<List<Guid>> RedriveAsync(IChannel channel)
    {
        var ids = new List<Guid>();
        while (await channel.BasicGetAsync(ErrorQueue, autoAck: false) is { } result)
        {
            await channel.BasicPublishAsync("", MailerHarness.InputQueue, mandatory: true, new BasicProperties(result.BasicProperties), result.Body);
            await channel.BasicAckAsync(result.DeliveryTag, multiple: false);
            using var body = JsonDocument.Parse(result.Body);
            ids.Add(body.RootElement.GetProperty("message").GetProperty("invoiceId").GetGuid());
        }
        return ids;
    }
}
