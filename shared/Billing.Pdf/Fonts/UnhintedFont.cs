using System.Buffers.Binary;

namespace Billing.Pdf.Fonts;

/// <summary>
/// A TrueType font without its hinting: the <c>cvt </c>, <c>fpgm</c> and <c>prep</c> programs, the device
/// metrics computed with them (<c>hdmx</c>, <c>LTSH</c>, <c>VDMX</c>) and every glyph's instructions. Outlines,
/// metrics, the character map and all other tables stay byte for byte.
/// </summary>
/// <remarks>
/// PDFsharp embeds a subset of the font in every invoice, and the hinting is a third of that subset (about
/// 15 KiB of a 46 KiB invoice with Liberation Sans). PDF viewers and printers draw the outlines at their own
/// resolution and do not need it. Each invoice is then smaller to render, store, attach and send.
/// Anything this does not understand (a CFF-flavoured OpenType font, a collection, a damaged table) is returned
/// unchanged: the font is still usable, only not made smaller.
/// </remarks>
internal static class UnhintedFont
{
    private const ushort ArgsAreWords = 0x0001;
    private const ushort HasScale = 0x0008;
    private const ushort MoreComponents = 0x0020;
    private const ushort HasXYScale = 0x0040;
    private const ushort HasTwoByTwo = 0x0080;
    private const ushort HasInstructions = 0x0100;

    private static readonly HashSet<string> Dropped = ["cvt ", "fpgm", "prep", "hdmx", "LTSH", "VDMX"];

    /// <summary>The font without hinting, or <paramref name="font"/> itself when it is not a TrueType font this can read.</summary>
    public static byte[] Strip(byte[] font)
    {
        try
        {
            return TryStrip(font) ?? font;
        }
        catch (ArgumentOutOfRangeException)
        {
            return font; // a table or glyph that points past the end: leave the font as it is
        }
    }

    private static byte[]? TryStrip(byte[] font)
    {
        if (font.Length < 12) return null;
        var version = U32(font, 0);
        if (version != 0x00010000 && version != 0x74727565 /* 'true' */) return null;
        // Slices of the font as given; only the tables that change are copied.
        var tables = new SortedDictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        int numTables = U16(font, 4);
        for (var i = 0; i < numTables; i++)
        {
            var record = 12 + i * 16;
            var tag = System.Text.Encoding.ASCII.GetString(font, record, 4);
            var offset = (int)U32(font, record + 8);
            var length = (int)U32(font, record + 12);
            if (offset < 0 || length < 0 || offset > font.Length - length) return null;
            tables[tag] = font.AsMemory(offset, length);
        }
        if (!tables.TryGetValue("head", out var headTable) || headTable.Length < 54) return null;
        if (!tables.TryGetValue("maxp", out var maxpTable) || maxpTable.Length < 6) return null;
        if (!tables.TryGetValue("loca", out var locaTable) || !tables.TryGetValue("glyf", out var glyfTable)) return null;
        var (head, maxp) = (headTable.ToArray(), maxpTable.ToArray());
        var loca = locaTable.Span;
        var glyf = glyfTable.Span;

        int numGlyphs = U16(maxp, 4);
        var longOffsets = I16(head, 50) == 1;
        if (loca.Length < (numGlyphs + 1) * (longOffsets ? 4 : 2)) return null;

        using var newGlyf = new MemoryStream(glyf.Length); // room for all glyphs as they were
        var newOffsets = new int[numGlyphs + 1];
        for (var g = 0; g < numGlyphs; g++)
        {
            newOffsets[g] = (int)newGlyf.Position;
            int start = Offset(loca, longOffsets, g), end = Offset(loca, longOffsets, g + 1);
            if (start > end || end > glyf.Length) return null;
            if (end > start)
            {
                var glyph = WithoutInstructions(glyf.Slice(start, end - start));
                if (glyph is null) return null;
                newGlyf.Write(glyph);
                while (newGlyf.Position % 4 != 0) newGlyf.WriteByte(0);
            }
        }
        newOffsets[numGlyphs] = (int)newGlyf.Position;

        // Short offsets (half the size) when the glyphs fit them.
        var shortOffsets = newGlyf.Position <= 0x1FFFE;
        var newLoca = new byte[(numGlyphs + 1) * (shortOffsets ? 2 : 4)];
        for (var g = 0; g <= numGlyphs; g++)
        {
            if (shortOffsets) BinaryPrimitives.WriteUInt16BigEndian(newLoca.AsSpan(g * 2), (ushort)(newOffsets[g] / 2));
            else BinaryPrimitives.WriteUInt32BigEndian(newLoca.AsSpan(g * 4), (uint)newOffsets[g]);
        }
        BinaryPrimitives.WriteInt16BigEndian(head.AsSpan(50), (short)(shortOffsets ? 0 : 1));
        if (maxp.Length >= 28) BinaryPrimitives.WriteUInt16BigEndian(maxp.AsSpan(26), 0); // maxSizeOfInstructions

        tables["glyf"] = newGlyf.GetBuffer().AsMemory(0, (int)newGlyf.Length);
        tables["loca"] = newLoca;
        tables["head"] = head;
        tables["maxp"] = maxp;
        foreach (var tag in Dropped) tables.Remove(tag);
        return Write(version, tables);
    }

    /// <summary>One glyph's bytes without its instructions; null when the glyph is malformed.</summary>
    private static byte[]? WithoutInstructions(ReadOnlySpan<byte> glyph)
    {
        if (glyph.Length < 10) return null;
        var contours = I16(glyph, 0);
        if (contours >= 0)
        {
            // header, endPtsOfContours, instructionLength, instructions, then flags and coordinates.
            var lengthAt = 10 + 2 * contours;
            if (lengthAt + 2 > glyph.Length) return null;
            int instructions = U16(glyph, lengthAt);
            var rest = lengthAt + 2 + instructions;
            if (rest > glyph.Length) return null;
            var simple = new byte[glyph.Length - instructions];
            glyph[..lengthAt].CopyTo(simple);
            glyph[rest..].CopyTo(simple.AsSpan(lengthAt + 2));
            return simple;
        }

        // A composite: components (flags, glyph index, arguments, transform), then optional instructions.
        var composite = glyph.ToArray();
        var at = 10;
        ushort flags;
        do
        {
            if (at + 4 > composite.Length) return null;
            flags = U16(composite, at);
            BinaryPrimitives.WriteUInt16BigEndian(composite.AsSpan(at), (ushort)(flags & ~HasInstructions));
            at += 4 + ((flags & ArgsAreWords) != 0 ? 4 : 2);
            if ((flags & HasScale) != 0) at += 2;
            else if ((flags & HasXYScale) != 0) at += 4;
            else if ((flags & HasTwoByTwo) != 0) at += 8;
        } while ((flags & MoreComponents) != 0);
        return at > composite.Length ? null : composite[..at];
    }

    private static byte[] Write(uint version, SortedDictionary<string, ReadOnlyMemory<byte>> tables)
    {
        var count = tables.Count;
        var entrySelector = (int)Math.Floor(Math.Log2(count));
        var searchRange = (1 << entrySelector) * 16;
        var size = 12 + 16 * count + tables.Values.Sum(t => (t.Length + 3) & ~3);
        var font = new byte[size];
        BinaryPrimitives.WriteUInt32BigEndian(font, version);
        BinaryPrimitives.WriteUInt16BigEndian(font.AsSpan(4), (ushort)count);
        BinaryPrimitives.WriteUInt16BigEndian(font.AsSpan(6), (ushort)searchRange);
        BinaryPrimitives.WriteUInt16BigEndian(font.AsSpan(8), (ushort)entrySelector);
        BinaryPrimitives.WriteUInt16BigEndian(font.AsSpan(10), (ushort)(count * 16 - searchRange));
        var offset = 12 + 16 * count;
        var record = 12;
        var headOffset = -1;
        foreach (var (tag, data) in tables)
        {
            data.Span.CopyTo(font.AsSpan(offset));
            if (tag == "head")
            {
                headOffset = offset;
                BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(offset + 8), 0); // checkSumAdjustment, set below
            }
            System.Text.Encoding.ASCII.GetBytes(tag, font.AsSpan(record, 4));
            BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(record + 4), Checksum(font.AsSpan(offset, data.Length)));
            BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(record + 8), (uint)offset);
            BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(record + 12), (uint)data.Length);
            offset += (data.Length + 3) & ~3;
            record += 16;
        }
        BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(headOffset + 8), unchecked(0xB1B0AFBA - Checksum(font)));
        return font;
    }

    private static uint Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        var i = 0;
        for (; i + 4 <= data.Length; i += 4) sum = unchecked(sum + BinaryPrimitives.ReadUInt32BigEndian(data[i..]));
        if (i < data.Length)
        {
            Span<byte> last = stackalloc byte[4];
            last.Clear();
            data[i..].CopyTo(last);
            sum = unchecked(sum + BinaryPrimitives.ReadUInt32BigEndian(last));
        }
        return sum;
    }

    private static int Offset(ReadOnlySpan<byte> loca, bool longOffsets, int glyph) =>
        longOffsets ? (int)U32(loca, glyph * 4) : U16(loca, glyph * 2) * 2;

    private static ushort U16(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt16BigEndian(data.Slice(offset, 2));
    private static short I16(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadInt16BigEndian(data.Slice(offset, 2));
    private static uint U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32BigEndian(data.Slice(offset, 4));
}
