namespace Billing.Ledger;

/// <summary>
/// An external accounting system that receives journal entries. <see cref="FindAsync"/> must find a document by
/// the entry's <see cref="JournalEntry.SourceKey"/>: it is what keeps a retried post from creating a duplicate.
/// </summary>
public interface IAccountingConnector
{
    string Name { get; }

    Task<ExternalDocument?> FindAsync(string sourceKey, CancellationToken ct);

    Task<ExternalDocument> PostAsync(JournalEntry entry, CancellationToken ct);
}

/// <summary>A journal entry as the external system knows it.</summary>
public sealed record ExternalDocument(string Connector, string SourceKey, string ExternalId);

/// <summary><see cref="Posted"/> is false when the document already existed and nothing was sent.</summary>
public sealed record PublishResult(ExternalDocument Document, bool Posted);
