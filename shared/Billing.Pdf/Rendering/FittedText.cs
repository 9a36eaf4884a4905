using PdfSharp.Drawing;

namespace Billing.Pdf.Rendering;

/// <summary>Text made safe for a font: every character either has a glyph in <see cref="Font"/> or became '?'.</summary>
internal readonly record struct FittedText(string Text, XFont Font);
