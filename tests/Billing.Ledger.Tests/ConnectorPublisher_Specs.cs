namespace Billing.Ledger.Tests;

/// <summary>An accounting system in memory whose posts can be made to fail before or after they are stored.</summary>
internal sealed class FlakyConnector : IAccountingConnector
{
    public Dictionary<string, ExternalDocument> Stored { get; } = [];
    public int Posts { get; private set; }
    public bool ThrowAfterStoring { get; set; }
    public bool ThrowBeforeStoring { get; set; }
    public bool FindThrows { get; set; }

    public string Name => "flaky";

    public Task<ExternalDocument?> FindAsync(string sourceKey, CancellationToken ct) =>
        FindThrows ? throw new HttpRequestException("lookup failed") : Task.FromResult(Stored.GetValueOrDefault(sourceKey));

    public Task<ExternalDocument> PostAsync(JournalEntry entry, CancellationToken ct)
    {
        Posts++;
        if (ThrowBeforeStoring)
            throw new HttpRequestException("connection refused");
        var document = new ExternalDocument(Name, entry.SourceKey, $"doc-{Posts}");
        Stored[entry.SourceKey] = document;
        if (ThrowAfterStoring)
            throw new TimeoutException("the answer was lost after the document was stored");
        return Task.FromResult(document);
    }
}

public class When_a_post_times_out_after_the_document_was_stored
{
    readonly FlakyConnector _connector = new() { ThrowAfterStoring = true };
    readonly JournalEntry _entry = PostingRules.ForInvoice(Sample.MultiStreamInvoice(), Sample.At);

    [Fact]
    public async Task Does_find_the_stored_document_instead_of_failing()
    {
        var result = await ConnectorPublisher.PublishAsync(_connector, _entry, CancellationToken.None);

        Assert.Equal(("doc-1", true), (result.Document.ExternalId, result.Posted));
    }

    [Fact]
    public async Task Does_not_post_again_when_published_again()
    {
        await ConnectorPublisher.PublishAsync(_connector, _entry, CancellationToken.None);
        _connector.ThrowAfterStoring = false;

        var again = await ConnectorPublisher.PublishAsync(_connector, _entry, CancellationToken.None);

        Assert.Equal((1, false, "doc-1"), (_connector.Posts, again.Posted, again.Document.ExternalId));
        Assert.Single(_connector.Stored);
    }
}

public class When_a_post_fails_before_anything_was_stored
{
    readonly FlakyConnector _connector = new() { ThrowBeforeStoring = true };
    readonly JournalEntry _entry = PostingRules.ForInvoice(Sample.MultiStreamInvoice(), Sample.At);

    [Fact]
    public async Task Does_rethrow_the_post_error_so_the_message_is_retried()
    {
        await Assert.ThrowsAsync<HttpRequestException>(() => ConnectorPublisher.PublishAsync(_connector, _entry, CancellationToken.None));

        Assert.Empty(_connector.Stored);
    }

    [Fact]
    public async Task Does_post_once_on_the_retry()
    {
        await Assert.ThrowsAsync<HttpRequestException>(() => ConnectorPublisher.PublishAsync(_connector, _entry, CancellationToken.None));
        _connector.ThrowBeforeStoring = false;

        var result = await ConnectorPublisher.PublishAsync(_connector, _entry, CancellationToken.None);

        Assert.True(result.Posted);
        Assert.Single(_connector.Stored);
    }
}

public class When_the_document_already_exists
{
    [Fact]
    public async Task Does_not_post()
    {
        var entry = PostingRules.ForInvoice(Sample.MultiStreamInvoice(), Sample.At);
        var connector = new FlakyConnector();
        connector.Stored[entry.SourceKey] = new ExternalDocument("flaky", entry.SourceKey, "doc-7");

        var result = await ConnectorPublisher.PublishAsync(connector, entry, CancellationToken.None);

        Assert.Equal((0, false, "doc-7"), (connector.Posts, result.Posted, result.Document.ExternalId));
    }

    [Fact]
    public async Task Does_not_post_when_the_lookup_fails()
    {
        var connector = new FlakyConnector { FindThrows = true };

        await Assert.ThrowsAsync<HttpRequestException>(() =>
            ConnectorPublisher.PublishAsync(connector, PostingRules.ForInvoice(Sample.MultiStreamInvoice(), Sample.At), CancellationToken.None));
        Assert.Equal(0, connector.Posts);
    }
}

public class When_an_unbalanced_entry_is_published
{
    [Fact]
    public async Task Does_refuse_it_before_calling_the_connector()
    {
        var connector = new FlakyConnector();
        var entry = new JournalEntry(Guid.NewGuid(), SourceTypes.Payment, "evt_1", null, null, "USD", Sample.At,
            [JournalLine.Debit(LedgerAccounts.Cash, 10, "x")]);

        await Assert.ThrowsAsync<UnbalancedEntryException>(() => ConnectorPublisher.PublishAsync(connector, entry, CancellationToken.None));
        Assert.Equal(0, connector.Posts);
    }
}
