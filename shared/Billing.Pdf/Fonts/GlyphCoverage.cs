using System.Buffers.Binary;
using System.Collections;

namespace Billing.Pdf.Fonts;

/// <summary>
/// Which code points a TrueType font maps to a real glyph, read from its cmap table. PDFsharp silently draws
/// nothing (or throws, depending on the path) for unmapped characters; knowing coverage up front lets us pick
/// a fallback font or print '?' instead, so an unusual customer name never breaks a render.
/// </summary>
internal sealed class GlyphCoverage
{
    private readonly BitArray _bmp = new(0x10000);
    private readonly List<(int First, int Last)> _supplementary = [];

    public static GlyphCoverage Everything { get; } = CreateEverything();

    public bool Covers(int codePoint)
    {
        if (codePoint is >= 0 and < 0x10000) return _bmp[codePoint];
        foreach (var (first, last) in _supplementary)
        {
            if (codePoint >= first && codePoint <= last) return true;
        }
        return false;
    }

    public static GlyphCoverage Intersect(GlyphCoverage a, GlyphCoverage b)
    {
        var result = new GlyphCoverage();
        result._bmp.Or(a._bmp).And(b._bmp);
        // Supplementary planes hardly matter for invoices: keep only what both fonts agree on exactly.
        result._supplementary.AddRange(a._supplementary.Intersect(b._supplementary));
        return result;
    }

    /// <summary>Reads the cmap of a TrueType/OpenType font (first face of a collection). Unknown layouts cover nothing.</summary>
    public static GlyphCoverage FromFont(ReadOnlySpan<byte> font)
    {
        var coverage = new GlyphCoverage();
        try
        {
            var cmap = FindTable(font, "cmap");
            if (cmap < 0) return coverage;
            var (format12, format4) = FindSubtables(font, cmap);
            if (format12 >= 0) coverage.ReadFormat12(font, format12);
            else if (format4 >= 0) coverage.ReadFormat4(font, format4);
        }
        catch (ArgumentOutOfRangeException)
        {
            // A truncated or odd font: whatever was read so far stands, the rest prints as '?'.
        }
        return coverage;
    }

    private static int FindTable(ReadOnlySpan<byte> font, string tag)
    {
        var start = 0;
        if (font[..4].SequenceEqual("ttcf"u8)) start = (int)U32(font, 12);
        var numTables = U16(font, start + 4);
        for (var i = 0; i < numTables; i++)
        {
            var record = start + 12 + i * 16;
            if (font.Slice(record, 4).SequenceEqual(System.Text.Encoding.ASCII.GetBytes(tag)))
                return (int)U32(font, record + 8);
        }
        return -1;
    }

    private static (int Format12, int Format4) FindSubtables(ReadOnlySpan<byte> font, int cmap)
    {
        int format12 = -1, format4 = -1;
        var count = U16(font, cmap + 2);
        for (var i = 0; i < count; i++)
        {
            var record = cmap + 4 + i * 8;
            var platform = U16(font, record);
            var encoding = U16(font, record + 2);
            var offset = cmap + (int)U32(font, record + 4);
            var unicode = platform == 0 || (platform == 3 && encoding is 1 or 10);
            if (!unicode) continue;
            var format = U16(font, offset);
            if (format == 12 && format12 < 0) format12 = offset;
            if (format == 4 && format4 < 0) format4 = offset;
        }
        return (format12, format4);
    }

    private void ReadFormat4(ReadOnlySpan<byte> font, int table)
    {
        var segments = U16(font, table + 6) / 2;
        var endCodes = table + 14;
        var startCodes = endCodes + segments * 2 + 2;
        var deltas = startCodes + segments * 2;
        var rangeOffsets = deltas + segments * 2;
        for (var s = 0; s < segments; s++)
        {
            int end = U16(font, endCodes + s * 2), start = U16(font, startCodes + s * 2);
            var delta = U16(font, deltas + s * 2);
            var rangeOffsetPosition = rangeOffsets + s * 2;
            var rangeOffset = U16(font, rangeOffsetPosition);
            for (var c = start; c <= end && c != 0xFFFF; c++)
            {
                int glyph;
                if (rangeOffset == 0) glyph = (c + delta) & 0xFFFF;
                else
                {
                    glyph = U16(font, rangeOffsetPosition + rangeOffset + 2 * (c - start));
                    if (glyph != 0) glyph = (glyph + delta) & 0xFFFF;
                }
                if (glyph != 0) _bmp[c] = true;
            }
        }
    }

    private void ReadFormat12(ReadOnlySpan<byte> font, int table)
    {
        var groups = (int)U32(font, table + 12);
        for (var g = 0; g < groups; g++)
        {
            var group = table + 16 + g * 12;
            int first = (int)U32(font, group), last = (int)Math.Min(U32(font, group + 4), 0x10FFFF);
            for (var c = first; c <= Math.Min(last, 0xFFFF); c++) _bmp[c] = true;
            if (last >= 0x10000) _supplementary.Add((Math.Max(first, 0x10000), last));
        }
    }

    private static GlyphCoverage CreateEverything()
    {
        var all = new GlyphCoverage();
        all._bmp.SetAll(true);
        all._supplementary.Add((0x10000, 0x10FFFF));
        return all;
    }

    private static ushort U16(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt16BigEndian(data.Slice(offset, 2));
    private static uint U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32BigEndian(data.Slice(offset, 4));
}
