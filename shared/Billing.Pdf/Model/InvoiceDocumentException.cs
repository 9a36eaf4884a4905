namespace Billing.Pdf;

/// <summary>
/// The invoice data cannot make a correct PDF. Retrying cannot help: the caller should dead-letter the request
/// with this message.
/// </summary>
public sealed class InvoiceDocumentException(string field, string problem)
    : Exception($"Invoice document field '{field}': {problem}")
{
    /// <summary>Path of the offending field, e.g. "Number", "BillTo.Name", "Lines[3].Description".</summary>
    public string Field { get; } = field;
}
