using System.Text;
using System.Text.Json;
using Billing.Testing;
using Dapper;
using RabbitMQ.Client;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>
/// Messages of a run dead-lettered without a recorded failure (a service that died holding them): the run must not say
/// completed while they wait; it needs attention naming the queue and the command, and once the work went through by
/// another delivery it says "completed, N superseded dead letters to archive". Every status change carries its reason.
/// </summary>
public sealed class When_messages_of_a_run_wait_in_a_dead_letter_queue : IAsyncLifetime
{
    private const string ErrorQueue = "invoice-pdf-rendered_error";
    private RunHarness h = null!;

    public async Task InitializeAsync()
    {
        h = await RunHarness.StartAsync("runtruth");
        var plan = await Catalogue.PlanAsync(h.Db.DataSource, "team", "EUR", 4900, ("seats", 12m));
        var accounts = Enumerable.Range(0, 5).Select(i => new TestAccount(Guid.NewGuid(), plan, 19m,
            new Dictionary<string, decimal> { ["seats"] = i + 1 }, [])).ToList();
        await Catalogue.InsertAsync(h.Db.DataSource, accounts, RunHarness.Period);
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    private static (BasicProperties, byte[]) DeadLetter(string vhost, Guid invoice, Guid run, Guid account)
    {
        var envelope = new
        {
            messageId = Guid.NewGuid(),
            messageType = new[] { "urn:message:Billing.Contracts:InvoicePdfRendered" },
            message = new { invoiceId = invoice, runId = run, accountId = account, storageKey = $"{account}/{invoice}.pdf", sizeBytes = 1, sha256 = "x", rerender = false },
            sentTime = DateTimeOffset.UtcNow.AddSeconds(-5).ToString("O"),
            headers = new { },
        };
        var properties = new BasicProperties
        {
            MessageId = envelope.messageId.ToString(),
            ContentType = "application/vnd.masstransit+json",
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?>
            {
                ["MT-Fault-ExceptionType"] = Encoding.UTF8.GetBytes("System.ObjectDisposedException"),
                ["MT-Fault-Message"] = Encoding.UTF8.GetBytes("Cannot access a disposed object. Object name: 'IServiceProvider'."),
                ["MT-Fault-Timestamp"] = Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O")),
                ["MT-Fault-InputAddress"] = Encoding.UTF8.GetBytes($"rabbitmq://localhost/{vhost}/invoice-pdf-rendered?bind=true"),
                ["MT-Reason"] = Encoding.UTF8.GetBytes("fault"),
            },
        };
        return (properties, JsonSerializer.SerializeToUtf8Bytes(envelope));
    }

    private async Task DeadLetterAsync(Guid run, IEnumerable<(Guid Invoice, Guid Account)> invoices)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(h.Vhost.AmqpUrl) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await channel.QueueDeclareAsync(ErrorQueue, durable: true, exclusive: false, autoDelete: false);
        foreach (var (invoice, account) in invoices)
        {
            var (properties, body) = DeadLetter(h.Vhost.Name, invoice, run, account);
            await channel.BasicPublishAsync("", ErrorQueue, true, properties, body);
        }
    }

    private static string Summary(JsonElement p) => p.GetProperty("summary").GetString()!;

    [Fact]
    public async Task Readers_at_the_same_time_each_see_every_dead_letter_of_the_run()
    {
        // A peek holds the messages it reads until it puts them back; a status request and the completion check reading
        // at the same moment must both see them, or the check could complete a run whose dead letters still wait.
        var runId = await h.StartRunAsync();
        await h.UntilSettledAsync(runId, 5);
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        var invoices = (await conn.QueryAsync<(Guid Id, Guid AccountId)>("select id, account_id from invoices where run_id = @runId", new { runId })).ToList();
        await DeadLetterAsync(runId, invoices);

        var options = new Billing.Redrive.RedriveOptions { AmqpUri = new Uri(h.Vhost.AmqpUrl), ManagementUri = new Uri(TestServers.RabbitManagementUrl) };
        var query = new RunDeadLetterQuery(h.Db.DataSource, new Billing.Redrive.DeadLetterQueues(options), new Billing.Redrive.DeadLetterInspector(options), options);
        for (var round = 0; round < 4; round++)
        {
            var reads = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => query.ForRunAsync(runId, RunHarness.Period, CancellationToken.None)));
            Assert.All(reads, r => Assert.Equal(5, r.Total));
        }
    }

    [Fact]
    public async Task Does_need_attention_while_they_wait_and_complete_with_superseded_ones_to_archive_once_the_work_went_through()
    {
        var runId = await h.StartRunAsync();
        await h.UntilSettledAsync(runId, 5);
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        var invoices = (await conn.QueryAsync<(Guid Id, Guid AccountId)>("select id, account_id from invoices where run_id = @runId order by number", new { runId })).ToList();
        // Three invoices went through downstream; the messages of the other two died with a service that was stopping,
        // and so did a duplicate of one that went through.
        await using (var cmd = new Npgsql.NpgsqlCommand("""
            update invoices set pdf_key = 'k', pdf_sha256 = 'x', pdf_size = 1, pdf_rendered_at = now(), email_status = 'sent', emailed_at = now(), synced_at = now()
            where id = any($1)
            """, conn) { Parameters = { new() { Value = invoices.Take(3).Select(i => i.Id).ToArray() } } })
            await cmd.ExecuteNonQueryAsync();
        await using (var cmd = new Npgsql.NpgsqlCommand("update invoices set synced_at = now() where id = any($1)", conn)
                     { Parameters = { new() { Value = invoices.Skip(3).Select(i => i.Id).ToArray() } } })
            await cmd.ExecuteNonQueryAsync();
        await DeadLetterAsync(runId, invoices.Skip(2).Select(i => (i.Id, i.AccountId)));

        // Every account has an invoice, but two emails wait in a dead-letter queue: not running, not completed.
        var stuck = await Eventually.Until(() => h.ProgressAsync(runId), p => RunHarness.Status(p) == "needs_attention", TimeSpan.FromMinutes(1));
        Assert.Equal("needs_attention: 2 InvoicePdfRendered messages of the run in invoice-pdf-rendered_error (email not done)", Summary(stuck));
        var letters = stuck.GetProperty("dead_letters");
        Assert.Equal(3, letters.GetProperty("total").GetInt32());
        Assert.Equal(2, letters.GetProperty("pending").GetInt32());
        Assert.Equal(1, letters.GetProperty("superseded").GetInt32());
        var queue = Assert.Single(letters.GetProperty("queues").EnumerateArray());
        Assert.Equal("invoice-pdf-rendered", queue.GetProperty("source_queue").GetString());
        Assert.Equal("email", queue.GetProperty("stage").GetString());
        Assert.Contains($"billing dlq redrive {ErrorQueue} --key runId={runId}", stuck.GetProperty("next").EnumerateArray().Select(n => n.GetString()));
        Assert.Empty(h.Observed.Completed);
        var cli = await h.CliAsync("run", "status", runId.ToString());
        Assert.Equal(0, cli.ExitCode);
        Assert.Contains($"run {runId} {RunHarness.Period}: needs_attention: 2 InvoicePdfRendered messages of the run in {ErrorQueue}", cli.Stdout);
        Assert.Contains($"— next: billing dlq redrive {ErrorQueue} --key runId={runId}", cli.Stdout);
        Assert.Contains("dead letters of the run: 3 (2 waiting, 1 superseded)", cli.Stdout);
        Assert.DoesNotContain("│", cli.Stdout);

        // The two emails go out by another delivery (a resend): every dead letter is now superseded.
        await using (var cmd = new Npgsql.NpgsqlCommand("update invoices set pdf_key = 'k', pdf_sha256 = 'x', pdf_size = 1, pdf_rendered_at = now(), email_status = 'sent', emailed_at = now() where id = any($1)", conn)
                     { Parameters = { new() { Value = invoices.Skip(3).Select(i => i.Id).ToArray() } } })
            await cmd.ExecuteNonQueryAsync();
        var done = await Eventually.Until(() => h.ProgressAsync(runId), p => RunHarness.Status(p) == "completed", TimeSpan.FromMinutes(1));
        Assert.Equal("completed, 3 superseded dead letters to archive", Summary(done));
        Assert.Equal([$"billing dlq archive {ErrorQueue} --key runId={runId}"], done.GetProperty("next").EnumerateArray().Select(n => n.GetString()));
        var history = done.GetProperty("history").EnumerateArray().Select(x => (x.GetProperty("from").GetString(), x.GetProperty("to").GetString(), x.GetProperty("reason").GetString()!)).ToList();
        Assert.Equal([("running", "needs_attention"), ("needs_attention", "completed")], history.Select(x => (x.Item1, x.Item2)));
        Assert.Equal($"work of the run is stuck: 2 InvoicePdfRendered messages of the run in {ErrorQueue} (email not done)", history[0].Item3);
        Assert.StartsWith("nothing is open any more", history[1].Item3);
        Assert.EndsWith("; 3 superseded dead letters to archive", history[1].Item3);
        await Eventually.Until(() => Task.FromResult(h.Observed.Completed.Count), n => n == 1, TimeSpan.FromSeconds(30));

        // Archived as the status says: the run is simply completed, and stays so.
        var archive = await h.CliAsync("dlq", "archive", ErrorQueue, "--key", $"runId={runId}");
        Assert.True(archive.ExitCode == 0, archive.Stderr + archive.Stdout);
        var clean = await Eventually.Until(() => h.ProgressAsync(runId), p => Summary(p) == "completed", TimeSpan.FromSeconds(30));
        Assert.Equal(0, clean.GetProperty("dead_letters").GetProperty("total").GetInt32());
        Assert.Equal(0, clean.GetProperty("attention").GetArrayLength());
        Assert.Equal(2, clean.GetProperty("history").GetArrayLength());

        var bad = await h.CliAsync("run", "status", "not-a-run");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'not-a-run' is not a run id", bad.Stderr);
    }
}
