namespace Billing.Pdf;

/// <summary>Where rendered invoices are kept, by key "{account_id}/{invoice_id}.pdf" (see <see cref="PdfKeys"/>).</summary>
public interface IPdfStorage
{
    /// <summary>Stores the content under the key, replacing any previous content atomically.</summary>
    Task<PdfStoredObject> PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>The stored bytes, or null when nothing is stored under the key.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct);

    Task<bool> ExistsAsync(string key, CancellationToken ct);

    /// <summary>Removes the object; deleting a missing key is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct);
}
