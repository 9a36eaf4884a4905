namespace Billing.Ledger;

/// <summary>Sends a journal entry to a connector at most once, however often the caller is retried.</summary>
public static class ConnectorPublisher
{
    /// <summary>
    /// Always looks the document up by its source key before posting: a post that succeeded remotely but timed
    /// out locally is found on the retry instead of being posted again. When the post itself fails, one more
    /// lookup tells a lost answer (done) from a real failure (rethrown, so the message is retried).
    /// </summary>
    public static async Task<PublishResult> PublishAsync(IAccountingConnector connector, JournalEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(entry);
        entry.EnsureBalanced();

        var existing = await connector.FindAsync(entry.SourceKey, ct);
        if (existing is not null)
            return new PublishResult(existing, Posted: false);
        try
        {
            return new PublishResult(await connector.PostAsync(entry, ct), Posted: true);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            if (await TryFindAsync(connector, entry.SourceKey, ct) is { } stored)
                return new PublishResult(stored, Posted: true);
            throw;
        }
    }

    // The lookup after a failed post must not hide the post's own error.
    static async Task<ExternalDocument?> TryFindAsync(IAccountingConnector connector, string sourceKey, CancellationToken ct)
    {
        try
        {
            return await connector.FindAsync(sourceKey, ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
