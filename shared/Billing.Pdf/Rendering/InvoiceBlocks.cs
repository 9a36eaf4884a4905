using PdfSharp.Drawing;
using static Billing.Pdf.Rendering.PageGeometry;

namespace Billing.Pdf.Rendering;

/// <summary>Builds the measured blocks of one invoice: headers, table header, one block per line, totals, footers.</summary>
internal sealed class InvoiceBlocks(BlockWriter w, InvoiceDocument doc, XImage? logo)
{
    private const double LogoMaxWidth = 160;
    private const double LogoMaxHeight = 52;
    private const double IssuerWidth = 260;
    private const double MetaWidth = 210;
    private const int MaxDescriptionLines = 12;

    private readonly InvoiceFonts _f = w.Fonts;
    private readonly int _exponent = InvoiceFormat.Exponent(doc.Currency);

    public Block FirstPageHeader()
    {
        var block = new Block();
        var left = IssuerBlock(block);
        var right = MetaBlock(block);
        var y = Math.Max(left, right) + 20;
        y += w.Text(block, "BILL TO", _f.LabelBold, Left, y, MutedBrush) + 2;
        y += w.Wrapped(block, doc.BillTo.Name, _f.Name, Left, y, IssuerWidth, 2, InkBrush);
        foreach (var line in doc.BillTo.AddressLines)
            y += w.Wrapped(block, line, _f.Body, Left, y, IssuerWidth, 2, InkBrush);
        if (!string.IsNullOrWhiteSpace(doc.BillTo.Email))
            y += w.Text(block, doc.BillTo.Email, _f.Body, Left, y, MutedBrush);
        block.Height = y + 18;
        return block;
    }

    public Block ContinuationHeader()
    {
        var block = new Block();
        w.Text(block, doc.Issuer.Name, _f.BodyBold, Left, 0, InkBrush);
        var height = w.TextRight(block, $"{doc.DocumentName} {doc.Number} (continued)", _f.BodyBold, Right, 0, AccentBrush);
        block.Rules.Add(new BlockRule(Left, height + 4, Right, height + 4, HairlinePen));
        block.Height = height + 16;
        return block;
    }

    public Block TableHeader()
    {
        const double height = 18, textTop = 5;
        var block = new Block { Height = height };
        block.Fills.Add(new BlockFill(new XRect(Left, 0, ContentWidth, height), HeaderFill));
        w.Text(block, "Description", _f.LabelBold, DescriptionLeft, textTop, InkBrush);
        w.TextRight(block, "Quantity", _f.LabelBold, QuantityRight, textTop, InkBrush);
        w.TextRight(block, "Unit price", _f.LabelBold, UnitPriceRight, textTop, InkBrush);
        w.TextRight(block, $"Amount ({doc.Currency})", _f.LabelBold, AmountRight, textTop, InkBrush);
        return block;
    }

    /// <summary>One invoice line. Tier lines are indented and muted: they explain their usage line, they do not add to it.</summary>
    /// <remarks>A usage line with a breakdown has no single unit price; its tiers print theirs.</remarks>
    public Block Row(InvoiceLine line, bool hasBreakdown, bool ruleBelow)
    {
        const double padding = 4;
        var tier = line.Kind == InvoiceLineKinds.Tier;
        var font = tier ? _f.Tier : _f.Body;
        var brush = tier ? MutedBrush : InkBrush;
        var indent = tier ? TierIndent : 0;
        var block = new Block();
        var described = w.Wrapped(block, line.Description, font, DescriptionLeft + indent, padding, DescriptionWidth - indent, MaxDescriptionLines, brush);
        w.TextRight(block, InvoiceFormat.Quantity(line.Quantity), font, QuantityRight, padding, brush, QuantityWidth - CellPadding);
        if (!hasBreakdown)
            w.TextRight(block, InvoiceFormat.UnitPrice(line.UnitPrice, _exponent), font, UnitPriceRight, padding, brush, UnitPriceWidth - CellPadding);
        w.TextRight(block, MoneyText.Amount(line.AmountMinor, doc.Currency), font, AmountRight, padding, brush, AmountWidth - CellPadding);
        block.Height = padding + Math.Max(described, BlockWriter.LineHeight(font)) + padding;
        if (ruleBelow) block.Rules.Add(new BlockRule(Left, block.Height, Right, block.Height, HairlinePen));
        return block;
    }

    public Block Totals()
    {
        const double labelLeft = Right - 240, rowHeight = 16;
        var block = new Block();
        var y = 10.0;
        w.Text(block, "Subtotal", _f.Body, labelLeft, y, InkBrush);
        w.TextRight(block, Money(doc.SubtotalMinor), _f.Body, AmountRight, y, InkBrush);
        y += rowHeight;
        w.Text(block, $"Tax ({InvoiceFormat.Percent(doc.TaxRatePercent)})", _f.Body, labelLeft, y, InkBrush);
        w.TextRight(block, Money(doc.TaxMinor), _f.Body, AmountRight, y, InkBrush);
        y += rowHeight;
        block.Rules.Add(new BlockRule(labelLeft, y, Right, y, StrongPen));
        y += 5;
        w.Text(block, "Total", _f.Total, labelLeft, y, InkBrush);
        y += w.TextRight(block, Money(doc.TotalMinor), _f.Total, AmountRight, y, InkBrush);
        if (doc.CreditedInvoiceNumber is null)
            y += w.Text(block, $"Due by {InvoiceFormat.Date(doc.DueDate)}", _f.Label, labelLeft, y + 2, MutedBrush) + 14;
        else
            y += w.Text(block, $"Credited to invoice {doc.CreditedInvoiceNumber}", _f.Label, labelLeft, y + 2, MutedBrush) + 14;
        if (doc.Notes.Count > 0)
        {
            y += w.Text(block, "NOTES", _f.LabelBold, Left, y, MutedBrush) + 2;
            foreach (var note in doc.Notes)
                y += w.Wrapped(block, note, _f.Body, Left, y, ContentWidth, 4, InkBrush);
            y += 10;
        }
        if (!string.IsNullOrWhiteSpace(doc.PaymentTerms))
        {
            y += w.Text(block, "PAYMENT TERMS", _f.LabelBold, Left, y, MutedBrush) + 2;
            y += w.Wrapped(block, doc.PaymentTerms, _f.Body, Left, y, ContentWidth, 10, InkBrush);
        }
        block.Height = y + 6;
        return block;
    }

    /// <summary>Footer text and "Page N of M"; the same height on every page, so the body area is known before paginating.</summary>
    public Block PageFooter(int page, int pages)
    {
        var block = new Block();
        var y = 0.0;
        if (!string.IsNullOrWhiteSpace(doc.Footer))
        {
            foreach (var line in w.Lines(doc.Footer, _f.Small, ContentWidth, 3))
                y += w.Centered(block, line, Left, ContentWidth, y, MutedBrush);
            y += 4;
        }
        block.Rules.Add(new BlockRule(Left, y, Right, y, HairlinePen));
        y += 5;
        w.Text(block, $"{doc.Issuer.Name} · {doc.DocumentName} {doc.Number} · {doc.Period}", _f.Small, Left, y, MutedBrush);
        y += w.TextRight(block, $"Page {page} of {pages}", _f.Small, Right, y, InkBrush);
        block.Height = y;
        return block;
    }

    private double IssuerBlock(Block block)
    {
        var y = 0.0;
        if (logo is not null)
        {
            var scale = Math.Min(LogoMaxWidth / logo.PointWidth, LogoMaxHeight / logo.PointHeight);
            var (width, height) = (logo.PointWidth * Math.Min(scale, 1), logo.PointHeight * Math.Min(scale, 1));
            block.Images.Add(new BlockImage(logo, new XRect(Left, 0, width, height)));
            y += height + 10;
        }
        y += w.Wrapped(block, doc.Issuer.Name, _f.Name, Left, y, IssuerWidth, 2, InkBrush);
        foreach (var line in doc.Issuer.AddressLines)
            y += w.Wrapped(block, line, _f.Body, Left, y, IssuerWidth, 2, InkBrush);
        if (!string.IsNullOrWhiteSpace(doc.Issuer.TaxId))
            y += w.Text(block, $"Tax ID: {doc.Issuer.TaxId}", _f.Body, Left, y, InkBrush);
        if (!string.IsNullOrWhiteSpace(doc.Issuer.Email))
            y += w.Text(block, doc.Issuer.Email, _f.Body, Left, y, MutedBrush);
        return y;
    }

    private double MetaBlock(Block block)
    {
        const double rowHeight = 13.5;
        var y = w.TextRight(block, doc.Title, _f.Title, Right, 0, AccentBrush) + 8;
        (string Label, string Value)[] rows =
        [
            ($"{doc.DocumentName} number", doc.Number),
            ("Issue date", InvoiceFormat.Date(doc.IssueDate)),
            ("Period", doc.Period),
            doc.CreditedInvoiceNumber is null ? ("Due date", InvoiceFormat.Date(doc.DueDate)) : ("Invoice", doc.CreditedInvoiceNumber),
            ("Currency", doc.Currency),
        ];
        foreach (var (label, value) in rows)
        {
            w.Text(block, label, _f.Label, Right - MetaWidth, y + 1, MutedBrush);
            w.TextRight(block, value, _f.BodyBold, Right, y, InkBrush, MetaWidth - 80);
            y += rowHeight;
        }
        return y;
    }

    private string Money(long minor) => MoneyText.Format(minor, doc.Currency);
}
