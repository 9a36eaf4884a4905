namespace Billing.Pdf;

/// <summary>What was stored: recorded with the invoice (pdf_key, pdf_size, pdf_sha256).</summary>
/// <param name="Sha256">Lowercase hex SHA-256 of the content.</param>
public sealed record PdfStoredObject(string Key, long Size, string Sha256);
