using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Billing.Redrive;
using RabbitMQ.Client;

namespace Billing.Bench.Redrive;

public sealed record RedriveBenchmarkResult(
    int Messages, double FillRate, double UnthrottledRate, double? RequestedRate, int ThrottledMessages, double? ThrottledRate);

/// <summary>
/// Fills a dead-letter queue in a scratch vhost with MassTransit-shaped faults, redrives it unthrottled and then a
/// throttled sample (about five seconds' worth), prints messages/s and deletes the vhost.
/// </summary>
public static class RedriveBenchmark
{
    private const string Target = "bench-invoice";
    private const string Error = Target + "_error";

    public static async Task<RedriveBenchmarkResult> RunAsync(
        Uri amqpUri, Uri managementUri, int messages, double? throttleRate, TextWriter output, CancellationToken ct = default)
    {
        if (messages < 1) throw new ArgumentOutOfRangeException(nameof(messages), "messages must be positive.");
        if (throttleRate is <= 0) throw new ArgumentOutOfRangeException(nameof(throttleRate), "throttleRate must be positive or null.");
        var vhost = $"redrive-bench-{Guid.NewGuid():N}"[..26];
        var options = new RedriveOptions { AmqpUri = new Uri(new Uri(amqpUri.GetLeftPart(UriPartial.Authority) + "/"), Uri.EscapeDataString(vhost)), ManagementUri = managementUri };
        var (user, password) = options.ManagementCredentials();
        using var management = new ManagementClient(managementUri, user, password);
        await management.CreateVhostAsync(vhost, user, ct);
        try
        {
            await using var connection = await Amqp.ConnectAsync(options, "bench", ct);
            await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
            {
                await channel.QueueDeclareAsync(Target, true, false, false, cancellationToken: ct);
                await channel.QueueDeclareAsync(Error, true, false, false, cancellationToken: ct);
            }
            var redriver = new Redriver(options);

            var fill = await FillAsync(connection, vhost, messages, ct);
            output.WriteLine(Line($"filled {messages} faults at {fill:F0} msg/s"));
            var run = await redriver.RunAsync(new RedriveRequest(Error, "benchmark"), null, ct);
            output.WriteLine(Line($"unthrottled: moved {run.Moved} in {run.Elapsed.TotalSeconds:F2} s = {run.Rate:F0} msg/s"));

            if (throttleRate is not { } rate) return new(messages, fill, run.Rate, null, 0, null);
            var sample = (int)Math.Clamp(rate * 5, 50, messages);
            await FillAsync(connection, vhost, sample, ct);
            var throttled = await redriver.RunAsync(new RedriveRequest(Error, "benchmark") { Rate = rate }, null, ct);
            output.WriteLine(Line($"throttled at {rate:F0} msg/s: moved {throttled.Moved} in {throttled.Elapsed.TotalSeconds:F2} s = {throttled.Rate:F1} msg/s ({(throttled.Rate / rate - 1) * 100:+0.0;-0.0}%)"));
            return new(messages, fill, run.Rate, rate, sample, throttled.Rate);
        }
        finally
        {
            await management.DeleteVhostAsync(vhost, CancellationToken.None);
        }
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static async Task<double> FillAsync(IConnection connection, string vhost, int count, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct);
        var window = new List<ValueTask>(500);
        for (var i = 0; i < count; i++)
        {
            var (properties, body) = Fault(vhost, i);
            window.Add(channel.BasicPublishAsync("", Error, true, properties, body, ct));
            if (window.Count < 500) continue;
            foreach (var pending in window) await pending;
            window.Clear();
        }
        foreach (var pending in window) await pending;
        return count / clock.Elapsed.TotalSeconds;
    }

    private static (BasicProperties, byte[]) Fault(string vhost, int i)
    {
        var id = Guid.NewGuid().ToString();
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            messageId = id,
            conversationId = Guid.NewGuid(),
            destinationAddress = $"rabbitmq://localhost/{vhost}/{Target}",
            messageType = new[] { "urn:message:Billing.Contracts:GenerateInvoice" },
            message = new { runId = Guid.Empty, accountId = Guid.NewGuid(), period = "2026-10" },
            sentTime = DateTimeOffset.UtcNow,
            headers = new { },
        });
        var properties = new BasicProperties
        {
            MessageId = id,
            ContentType = "application/vnd.masstransit+json",
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?>
            {
                [RedriveHeaders.FaultExceptionType] = Encoding.UTF8.GetBytes("System.TimeoutException"),
                [RedriveHeaders.FaultMessage] = Encoding.UTF8.GetBytes($"benchmark fault {i}"),
                [RedriveHeaders.FaultStackTrace] = Encoding.UTF8.GetBytes("   at Billing.Bench.Consume() in /src/Bench.cs:line 1"),
                [RedriveHeaders.FaultTimestamp] = Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O")),
                [RedriveHeaders.FaultInputAddress] = Encoding.UTF8.GetBytes($"rabbitmq://localhost/{vhost}/{Target}"),
                [RedriveHeaders.FaultRetryCount] = 2,
                [RedriveHeaders.Reason] = Encoding.UTF8.GetBytes("fault"),
            },
        };
        return (properties, body);
    }
}
