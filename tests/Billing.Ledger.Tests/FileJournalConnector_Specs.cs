using System.Text.Json;

namespace Billing.Ledger.Tests;

public sealed class When_entries_are_written_to_the_file_journal : IDisposable
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), "ledger-journal-" + Guid.NewGuid().ToString("N"));
    readonly JournalEntry _invoice = PostingRules.ForInvoice(Sample.MultiStreamInvoice(), Sample.At);
    readonly JournalEntry _payment = PostingRules.ForPayment("evt_1", InvoiceBalance.Of(Sample.MultiStreamInvoice()), 2618, "EUR", Sample.At);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    string[] Lines() => File.ReadAllLines(Path.Combine(_directory, FileJournalConnector.FileName));

    [Fact]
    public async Task Does_append_one_json_line_per_entry_that_reads_back()
    {
        using var connector = new FileJournalConnector(_directory);

        await connector.PostAsync(_invoice, CancellationToken.None);
        await connector.PostAsync(_payment, CancellationToken.None);

        var lines = Lines();
        Assert.Equal(2, lines.Length);
        using var json = JsonDocument.Parse(lines[1]);
        Assert.Equal("payment:evt_1", json.RootElement.GetProperty("source_key").GetString());
        Assert.Equal("cash", json.RootElement.GetProperty("entry").GetProperty("lines")[0].GetProperty("ledger_account").GetString());
    }

    [Fact]
    public async Task Does_not_append_the_same_source_twice()
    {
        using var connector = new FileJournalConnector(_directory);

        var first = await connector.PostAsync(_invoice, CancellationToken.None);
        var second = await connector.PostAsync(_invoice, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Single(Lines());
    }

    [Fact]
    public async Task Does_let_another_instance_find_what_one_wrote()
    {
        using var writer = new FileJournalConnector(_directory);
        using var reader = new FileJournalConnector(_directory);
        Assert.Null(await reader.FindAsync(_invoice.SourceKey, CancellationToken.None));

        var posted = await writer.PostAsync(_invoice, CancellationToken.None);
        await reader.PostAsync(_invoice, CancellationToken.None);

        Assert.Equal(posted, await reader.FindAsync(_invoice.SourceKey, CancellationToken.None));
        Assert.Single(Lines());
    }

    [Fact]
    public async Task Does_skip_a_torn_last_line_and_start_the_next_record_on_a_new_line()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, FileJournalConnector.FileName), "{\"source_key\":\"invoice:torn");
        using var connector = new FileJournalConnector(_directory);

        await connector.PostAsync(_payment, CancellationToken.None);

        using var restarted = new FileJournalConnector(_directory);
        Assert.NotNull(await restarted.FindAsync(_payment.SourceKey, CancellationToken.None));
        Assert.Null(await restarted.FindAsync("invoice:torn", CancellationToken.None));
        Assert.Equal(2, Lines().Length);
    }

    [Fact]
    public async Task Does_write_each_entry_once_when_two_instances_post_the_same_entries_concurrently()
    {
        using var one = new FileJournalConnector(_directory);
        using var two = new FileJournalConnector(_directory);
        var balance = InvoiceBalance.Of(Sample.MultiStreamInvoice());
        var entries = Enumerable.Range(0, 40).Select(i => PostingRules.ForPayment($"evt_{i}", balance, 10, "EUR", Sample.At)).ToList();

        await Task.WhenAll(
            Task.Run(async () => { foreach (var e in entries) await one.PostAsync(e, CancellationToken.None); }),
            Task.Run(async () => { foreach (var e in Enumerable.Reverse(entries)) await two.PostAsync(e, CancellationToken.None); }));

        var keys = Lines().Select(l => JsonDocument.Parse(l).RootElement.GetProperty("source_key").GetString()).ToList();
        Assert.Equal(entries.Select(e => e.SourceKey).Order(), keys.Order());
    }

    [Fact]
    public async Task Does_refuse_an_unbalanced_entry()
    {
        using var connector = new FileJournalConnector(_directory);
        var broken = _payment with { Lines = [JournalLine.Debit(LedgerAccounts.Cash, 1, "x")] };

        await Assert.ThrowsAsync<UnbalancedEntryException>(() => connector.PostAsync(broken, CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(_directory, FileJournalConnector.FileName)));
    }

    [Fact]
    public async Task Does_publish_once_through_the_publisher()
    {
        using var connector = new FileJournalConnector(_directory);

        var first = await ConnectorPublisher.PublishAsync(connector, _invoice, CancellationToken.None);
        var second = await ConnectorPublisher.PublishAsync(connector, _invoice, CancellationToken.None);

        Assert.Equal((true, false), (first.Posted, second.Posted));
        Assert.Single(Lines());
    }
}
