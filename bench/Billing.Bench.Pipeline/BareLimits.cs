using System.Diagnostics;
using System.Net.Mail;
using System.Text;
using Billing.Bench.Pdf;
using Billing.Mail;
using Billing.Pdf;
using Billing.Testing;
using Npgsql;
using RabbitMQ.Client;

namespace Billing.Bench.Pipeline;

/// <summary>What the building blocks do on their own on this machine, measured in the same run as the pipeline.</summary>
public static class BareLimits
{
    /// <param name="Smtp">SmtpClient: a new connection per message, as a sample would send.</param>
    /// <param name="SmtpKept">Messages over kept connections, as the mailer's pool sends: the server's own limit.</param>
    public sealed record Result(double BrokerPublish, double BrokerConsume, double Smtp, double PdfRender, double DbInsertRows, double SmtpKept = 0);

    public static async Task<Result> MeasureAsync(TestVhost vhost, TestDatabase db, TextWriter log)
    {
        var (publish, consume) = await BrokerAsync(vhost, 30_000);
        log.WriteLine($"  broker publish (confirms, windowed) {publish,10:N0} msg/s; consume {consume,10:N0} msg/s");
        var smtp = await SmtpAsync(600, parallel: 4);
        log.WriteLine($"  SMTP acceptance (4 clients, PDF attached) {smtp,6:N0} msg/s");
        var smtpKept = await SmtpKeptAsync(2_000, parallel: 4);
        log.WriteLine($"  SMTP acceptance (4 kept connections, PDF) {smtpKept,6:N0} msg/s  ({TestServers.SmtpHost}:{TestServers.SmtpPort})");
        var pdf = await PdfRenderBenchmark.RunAsync(1_000, Environment.ProcessorCount, TextWriter.Null, CancellationToken.None);
        log.WriteLine($"  PDF render ({Environment.ProcessorCount} threads) {pdf.RendersPerSecond,14:N0} renders/s");
        var rows = await DbInsertAsync(db, 200_000);
        log.WriteLine($"  PostgreSQL COPY {rows,24:N0} rows/s");
        return new Result(publish, consume, smtp, pdf.RendersPerSecond, rows, smtpKept);
    }

    private static async Task<(double, double)> BrokerAsync(TestVhost vhost, int count)
    {
        var factory = new ConnectionFactory { Uri = new Uri(vhost.AmqpUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await channel.QueueDeclareAsync("bench-bare", durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        var body = Encoding.UTF8.GetBytes(new string('x', 600));
        var props = new BasicProperties { Persistent = true };
        var sw = Stopwatch.StartNew();
        const int window = 256;
        var inFlight = new List<Task>(window);
        for (var i = 0; i < count; i++)
        {
            inFlight.Add(channel.BasicPublishAsync("", "bench-bare", true, props, body).AsTask());
            if (inFlight.Count == window) { await Task.WhenAll(inFlight); inFlight.Clear(); }
        }
        await Task.WhenAll(inFlight);
        var publish = count / sw.Elapsed.TotalSeconds;

        await using var consumerChannel = await connection.CreateChannelAsync();
        await consumerChannel.BasicQosAsync(0, 500, false);
        var received = 0;
        var done = new TaskCompletionSource();
        var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, e) =>
        {
            await consumerChannel.BasicAckAsync(e.DeliveryTag, false);
            if (Interlocked.Increment(ref received) == count) done.TrySetResult();
        };
        sw.Restart();
        await consumerChannel.BasicConsumeAsync("bench-bare", false, consumer);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        return (publish, count / sw.Elapsed.TotalSeconds);
    }

    private static async Task<double> SmtpAsync(int count, int parallel)
    {
        var pdf = new InvoicePdfRenderer().Render(SampleInvoices.OnePage(1));
        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            using var client = new SmtpClient(TestServers.SmtpHost, TestServers.SmtpPort);
            while (Interlocked.Increment(ref next) < count)
            {
                using var message = new MailMessage("bench@example.test", "bare@example.test", "bare", "body");
                message.Attachments.Add(new Attachment(new MemoryStream(pdf), "invoice.pdf", "application/pdf"));
                await client.SendMailAsync(message);
            }
        })));
        return count / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> SmtpKeptAsync(int count, int parallel)
    {
        var pdf = new InvoicePdfRenderer().Render(SampleInvoices.OnePage(1));
        var composer = new InvoiceEmailComposer(new MailOptions { From = "bench@example.test" });
        var email = composer.Compose(new InvoiceEmail(Guid.NewGuid(), 1, "bare@example.test", "Bare", "INV-1", "2026-10", 100, "EUR",
            new DateOnly(2026, 11, 30), pdf), DateTimeOffset.UtcNow);
        using var sender = new PooledSmtpSender(new SmtpOptions { Host = TestServers.SmtpHost, Port = TestServers.SmtpPort, PoolSize = parallel });
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => sender.SendAsync(email, CancellationToken.None)));
        return count / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> DbInsertAsync(TestDatabase db, int rows)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using (var cmd = new NpgsqlCommand("create table bench_rows (id bigint, account uuid, amount bigint, note text)", conn))
            await cmd.ExecuteNonQueryAsync();
        var sw = Stopwatch.StartNew();
        await using (var writer = await conn.BeginBinaryImportAsync("copy bench_rows (id, account, amount, note) from stdin (format binary)"))
        {
            for (var i = 0; i < rows; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync((long)i);
                await writer.WriteAsync(Guid.NewGuid());
                await writer.WriteAsync((long)i * 7);
                await writer.WriteAsync("line");
            }
            await writer.CompleteAsync();
        }
        return rows / sw.Elapsed.TotalSeconds;
    }
}
