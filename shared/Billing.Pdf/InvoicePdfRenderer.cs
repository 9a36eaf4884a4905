using Billing.Pdf.Rendering;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using static Billing.Pdf.Rendering.PageGeometry;

namespace Billing.Pdf;

/// <summary>
/// Renders an <see cref="InvoiceDocument"/> to PDF. Stateless: one instance can serve any number of threads.
/// Invalid data throws <see cref="InvoiceDocumentException"/> before anything is drawn.
/// </summary>
public sealed class InvoicePdfRenderer
{
    private const double FooterBottomMargin = 28;
    private const double BodyToFooterGap = 10;

    public InvoicePdfRenderer() => PdfFonts.EnsureRegistered();

    public byte[] Render(InvoiceDocument doc)
    {
        using var buffer = new MemoryStream(16 * 1024);
        RenderTo(doc, buffer);
        return buffer.ToArray();
    }

    /// <summary>Writes the PDF to <paramref name="output"/> and leaves the stream open.</summary>
    public void RenderTo(InvoiceDocument doc, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        doc.Validate();
        using var logo = InvoiceLogo.Load(doc.Issuer);
        using var pdf = CreateDocument(doc);
        var firstPage = AddPage(pdf);
        var fonts = new InvoiceFonts(PdfFonts.Catalog);
        using (var g = XGraphics.FromPdfPage(firstPage))
        {
            // Measuring needs a graphics object; the first page's serves, nothing is drawn before layout is done.
            var blocks = new InvoiceBlocks(new BlockWriter(g, fonts), doc, logo);
            var layout = Layout(doc, blocks);
            for (var i = 0; i < layout.Pages.Count; i++)
            {
                if (i == 0) DrawPage(g, layout, blocks, 0);
                else
                {
                    using var next = XGraphics.FromPdfPage(AddPage(pdf));
                    DrawPage(next, layout, blocks, i);
                }
            }
        }
        pdf.Save(output, false);
    }

    private static InvoiceLayout Layout(InvoiceDocument doc, InvoiceBlocks blocks)
    {
        var lines = InvoiceLineOrder.ForPrinting(doc.Lines);
        var rows = new List<Block>(lines.Count);
        var startsGroup = lines.Select(l => l.Kind != InvoiceLineKinds.Tier).ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            var nextIsTier = i + 1 < lines.Count && lines[i + 1].Kind == InvoiceLineKinds.Tier;
            var hasBreakdown = nextIsTier && lines[i].Kind != InvoiceLineKinds.Tier;
            rows.Add(blocks.Row(lines[i], hasBreakdown, ruleBelow: !nextIsTier));
        }
        var layout = new InvoiceLayout(blocks.FirstPageHeader(), blocks.ContinuationHeader(), blocks.TableHeader(), rows, blocks.Totals());
        // The footer's height does not depend on the page numbers, so a sample fixes the body area.
        var footerHeight = blocks.PageFooter(1, 1).Height;
        layout.FooterTop = Height - FooterBottomMargin - footerHeight;
        layout.Pages = Paginator.Paginate(
            Top + layout.FirstHeader.Height + layout.TableHeader.Height,
            Top + layout.NextHeader.Height + layout.TableHeader.Height,
            layout.FooterTop - BodyToFooterGap,
            rows.Select(r => r.Height).ToList(),
            startsGroup,
            layout.Totals.Height);
        return layout;
    }

    private static void DrawPage(XGraphics g, InvoiceLayout layout, InvoiceBlocks blocks, int index)
    {
        var plan = layout.Pages[index];
        var header = plan.IsFirst ? layout.FirstHeader : layout.NextHeader;
        var y = Top;
        InvoicePainter.Draw(g, header, y);
        y += header.Height;
        InvoicePainter.Draw(g, layout.TableHeader, y);
        y += layout.TableHeader.Height;
        foreach (var row in plan.Rows)
        {
            InvoicePainter.Draw(g, layout.Rows[row], y);
            y += layout.Rows[row].Height;
        }
        if (plan.HasTotals) InvoicePainter.Draw(g, layout.Totals, y);
        InvoicePainter.Draw(g, blocks.PageFooter(index + 1, layout.Pages.Count), layout.FooterTop);
    }

    private static PdfDocument CreateDocument(InvoiceDocument doc)
    {
        var pdf = new PdfDocument();
        pdf.Info.Title = $"Invoice {doc.Number}";
        pdf.Info.Subject = $"Invoice {doc.Number} for {doc.Period}";
        pdf.Info.Author = doc.Issuer.Name;
        pdf.Info.Creator = "Billing";
        pdf.Options.CompressContentStreams = true;
        pdf.Options.FlateEncodeMode = PdfFlateEncodeMode.BestSpeed;
        return pdf;
    }

    private static PdfPage AddPage(PdfDocument pdf)
    {
        var page = pdf.AddPage();
        page.Width = XUnit.FromPoint(Width);
        page.Height = XUnit.FromPoint(Height);
        return page;
    }
}
