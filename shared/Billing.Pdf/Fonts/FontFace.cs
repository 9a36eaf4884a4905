namespace Billing.Pdf.Fonts;

/// <summary>One font file in memory, under the face name PDFsharp will ask for.</summary>
internal sealed record FontFace(string FaceName, byte[] Data, string Source);
