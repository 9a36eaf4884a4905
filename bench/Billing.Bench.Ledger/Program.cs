using System.Diagnostics;
using System.Globalization;
using Billing.Ledger.Infrastructure;
using Billing.Ledger.Infrastructure.Tests;
using Billing.AccountingSync.Consumers;
using Billing.Contracts;
using Billing.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// Ledger sync benchmark: invoices pre-inserted with COPY into a scratch database, then posted through the real
// path (InvoiceSyncer: load, PostingRules.ForInvoice, batched insert, mark synced), then through the consumer
// in-process (InvoiceFinalized over RabbitMQ → SyncInvoiceConsumer batches). Prints journal entries/s.
var invoices = Arg("--invoices", 100_000);
var batch = Arg("--batch", 100);
var parallel = Arg("--parallel", 4);
var consumerInvoices = Arg("--consumer-invoices", 20_000);
Console.WriteLine($"ledger bench: {invoices:N0} invoices, batch {batch}, {parallel} in parallel; consumer path {consumerInvoices:N0} invoices; {Environment.ProcessorCount} cores");

await using (var db = await TestDatabase.CreateAsync("benchledger"))
{
    var seeded = await SeedAsync(db, invoices);
    var syncer = new InvoiceSyncer(db.DataSource, TimeProvider.System);
    var ids = seeded.Select(i => i.Id).ToList();

    var (elapsed, inserted) = await SyncAllAsync(syncer, ids, batch, parallel);
    Report("posting path (store + rules)", inserted, elapsed);
    Verify(await CountAsync(db, "select count(*) from journal_entries"), invoices, "journal entries");
    Verify(await CountAsync(db, "select count(*) from invoices where synced_at is not null"), invoices, "synced invoices");
    var trial = await new LedgerStore(db.DataSource).TrialBalanceAsync(default);
    Console.WriteLine("  trial balance: " + string.Join(", ", trial.Select(c => $"{c.Currency} debit {c.DebitMinor} credit {c.CreditMinor} {(c.Balanced ? "balanced" : "NOT BALANCED")}")));

    var (replayElapsed, replayInserted) = await SyncAllAsync(syncer, ids, batch, parallel);
    Console.WriteLine($"  redelivery of all {invoices:N0}: {replayInserted} new entries, {invoices / replayElapsed.TotalSeconds:N0} invoices/s checked");
}

if (consumerInvoices > 0)
{
    await using var db = await TestDatabase.CreateAsync("benchledgerbus");
    await using var vhost = await TestVhost.CreateAsync("benchledger");
    var seeded = await SeedAsync(db, consumerInvoices);
    var app = await InProcessService.StartAsync("Billing.AccountingSync", db, vhost,
        bus => bus.AddConsumer<SyncInvoiceConsumer, SyncInvoiceConsumerDefinition>(),
        b => b.Services.AddAccounting());
    try
    {
        var publisher = app.Services.GetRequiredService<IBus>();
        var clock = Stopwatch.StartNew();
        foreach (var chunk in seeded.Chunk(500))
            await Task.WhenAll(chunk.Select(i => publisher.Publish(new InvoiceFinalized(i.Id, i.RunId, i.AccountId, i.Period, i.Number, i.TotalMinor, i.Currency))));
        var published = clock.Elapsed;
        long done;
        while ((done = await CountAsync(db, "select count(*) from journal_entries")) < consumerInvoices)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(15))
                throw new TimeoutException($"only {done} of {consumerInvoices} entries after {clock.Elapsed}");
            await Task.Delay(100);
        }
        Console.WriteLine($"  published {consumerInvoices:N0} InvoiceFinalized in {published.TotalSeconds:N1} s ({consumerInvoices / published.TotalSeconds:N0}/s)");
        Report("consumer path (RabbitMQ → batch consumer → store)", consumerInvoices, clock.Elapsed);
    }
    finally
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
return 0;

static async Task<List<SeededInvoice>> SeedAsync(TestDatabase db, int count)
{
    var accounts = Math.Max(1, count / 100);
    var clock = Stopwatch.StartNew();
    var seeded = await InvoiceSeeder.SeedAsync(db.DataSource, accounts, (count + accounts - 1) / accounts, ["USD", "EUR", "JPY"], 42,
        new DateTimeOffset(2026, 10, 31, 12, 0, 0, TimeSpan.Zero));
    var lines = await CountAsync(db, "select count(*) from invoice_lines");
    Console.WriteLine($"  seeded {seeded.Count:N0} invoices and {lines:N0} lines with COPY in {clock.Elapsed.TotalSeconds:N1} s");
    return seeded;
}

static async Task<(TimeSpan Elapsed, long Inserted)> SyncAllAsync(InvoiceSyncer syncer, List<Guid> ids, int batch, int parallel)
{
    long inserted = 0;
    var clock = Stopwatch.StartNew();
    await Parallel.ForEachAsync(ids.Chunk(batch), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (chunk, ct) =>
    {
        var result = await syncer.SyncAsync(chunk, ct);
        if (result.Rejected.Count > 0 || result.Missing.Count > 0)
            throw new InvalidOperationException($"{result.Rejected.Count} rejected, {result.Missing.Count} missing: {result.Rejected.FirstOrDefault()?.Reason}");
        Interlocked.Add(ref inserted, result.Synced.Count(s => s.Inserted));
    });
    return (clock.Elapsed, inserted);
}

static async Task<long> CountAsync(TestDatabase db, string sql)
{
    await using var conn = await db.DataSource.OpenConnectionAsync();
    await using var cmd = new NpgsqlCommand(sql, conn);
    return Convert.ToInt64(await cmd.ExecuteScalarAsync());
}

static void Report(string path, long entries, TimeSpan elapsed) =>
    Console.WriteLine($"{path}: {entries:N0} journal entries in {elapsed.TotalSeconds:N1} s = {entries / elapsed.TotalSeconds:N0} entries/s");

static void Verify(long actual, long expected, string what)
{
    if (actual != expected)
        throw new InvalidOperationException($"expected {expected} {what}, found {actual}");
}

int Arg(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
