using System.Text;
using RabbitMQ.Client;

namespace Billing.PdfRenderer.Tests;

public sealed record DeadLetter(string Body, IReadOnlyDictionary<string, string?> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

public static class DeadLetters
{
    public const string FinalizedErrorQueue = "render-finalized-invoice_error";
    public const string RenderErrorQueue = "render-invoice-pdf_error";

    /// <summary>Reads an error queue without consuming it: every message goes back.</summary>
    public static async Task<DeadLetter?> FindAsync(string amqpUrl, string queue, Guid invoiceId)
    {
        var factory = new ConnectionFactory { Uri = new Uri(amqpUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using (var probe = await connection.CreateChannelAsync())
        {
            try
            {
                await probe.QueueDeclarePassiveAsync(queue);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return null;
            }
        }
        await using var reader = await connection.CreateChannelAsync();
        DeadLetter? found = null;
        var seen = new List<ulong>();
        try
        {
            while (await reader.BasicGetAsync(queue, autoAck: false) is { } message)
            {
                seen.Add(message.DeliveryTag);
                var body = Encoding.UTF8.GetString(message.Body.Span);
                if (body.Contains(invoiceId.ToString(), StringComparison.Ordinal))
                    found = new DeadLetter(body, (message.BasicProperties.Headers ?? new Dictionary<string, object?>())
                        .ToDictionary(h => h.Key, h => h.Value switch { byte[] b => Encoding.UTF8.GetString(b), var v => v?.ToString() }));
            }
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            // A quorum queue declared a moment ago may not serve reads yet ("noproc"); the channel closed and
            // returned what it had taken. Not found yet: the caller asks again.
            return null;
        }
        foreach (var tag in seen) await reader.BasicNackAsync(tag, false, requeue: true);
        return found;
    }

    public static async Task<long> CountAsync(Billing.Testing.TestVhost vhost, string queue)
    {
        var q = await vhost.QueueAsync(queue);
        return q is { } json && json.TryGetProperty("messages", out var m) ? m.GetInt64() : 0;
    }
}
