using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Billing.Bench.Pdf;
using Billing.Pdf.Fonts;

namespace Billing.Pdf.Tests;

public class When_a_font_is_prepared_for_embedding
{
    private const string Liberation = "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf";
    private const string LiberationBold = "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf";
    private static readonly string[] Hinting = ["cvt ", "fpgm", "prep", "hdmx", "LTSH", "VDMX"];

    [Theory]
    [InlineData(Liberation)]
    [InlineData(LiberationBold)]
    [InlineData("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    public void Does_drop_the_hinting_and_keep_every_outline_and_metric(string path)
    {
        var original = Font.Read(File.ReadAllBytes(path));
        var stripped = Font.Read(UnhintedFont.Strip(File.ReadAllBytes(path)));

        Assert.Contains(original.Tables.Keys, Hinting.Contains);
        Assert.DoesNotContain(stripped.Tables.Keys, Hinting.Contains);
        // Every other table is kept as it was, except the ones the glyphs' new places are written to.
        foreach (var tag in original.Tables.Keys.Except(Hinting).Except(["glyf", "loca", "head", "maxp"]))
            Assert.True(original.Tables[tag].AsSpan().SequenceEqual(stripped.Tables[tag]), $"table '{tag}' changed");
        Assert.Equal(original.GlyphCount, stripped.GlyphCount);

        var composites = 0;
        for (var g = 0; g < original.GlyphCount; g++)
        {
            var before = original.Glyph(g);
            var after = stripped.Glyph(g);
            if (before.Length == 0)
            {
                Assert.Equal(0, after.Length);
                continue;
            }
            var contours = BinaryPrimitives.ReadInt16BigEndian(before);
            Assert.True(before[..10].SequenceEqual(after[..10]), $"glyph {g}: the bounding box or contour count changed");
            if (contours >= 0)
            {
                var lengthAt = 10 + 2 * contours;
                Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(after[lengthAt..]));
                var outline = before[(lengthAt + 2 + BinaryPrimitives.ReadUInt16BigEndian(before[lengthAt..]))..];
                // The flags and coordinates follow, unchanged; only the padding at the end may differ.
                Assert.True(after[(lengthAt + 2)..].StartsWith(outline.TrimEnd((byte)0)), $"glyph {g}: the outline changed");
            }
            else
            {
                composites++;
                Assert.True(after.Length <= before.Length);
                Assert.Equal(0, CompositeFlags(after) & 0x0100);
            }
        }
        Assert.True(composites > 0, "the font has no composite glyph: the composite path went untested");
    }

    [Fact]
    public void Does_write_a_font_whose_checksums_add_up_and_that_is_smaller()
    {
        var bytes = File.ReadAllBytes(Liberation);
        var stripped = UnhintedFont.Strip(bytes);
        var font = Font.Read(stripped);

        Assert.Equal(0xB1B0AFBAu, Checksum(stripped));
        foreach (var (tag, (offset, length, checksum)) in font.Records)
            Assert.True(Checksum(stripped.AsSpan(offset, length)) == checksum || tag == "head", $"table '{tag}': checksum does not match");
        Assert.True(stripped.Length < bytes.Length - Font.Read(bytes).Tables.Where(t => Hinting.Contains(t.Key)).Sum(t => t.Value.Length),
            $"{stripped.Length:N0} bytes from {bytes.Length:N0}");
        // The offsets' size in head matches the loca table written.
        var longOffsets = BinaryPrimitives.ReadInt16BigEndian(font.Tables["head"].AsSpan(50)) == 1;
        Assert.Equal((font.GlyphCount + 1) * (longOffsets ? 4 : 2), font.Tables["loca"].Length);
        Assert.Equal(longOffsets, font.Tables["glyf"].Length > 0x1FFFE);
    }

    [Fact]
    public void Does_embed_fonts_without_hinting_in_invoices_that_read_back_the_same()
    {
        var renderer = new InvoicePdfRenderer();
        var doc = SampleInvoices.OnePage(3);
        var pdf = renderer.Render(doc);

        var fonts = EmbeddedFontPrograms(pdf);
        Assert.Equal(2, fonts.Count); // regular and bold
        foreach (var font in fonts)
        {
            var tables = Font.Read(font).Tables;
            Assert.Contains("glyf", tables.Keys);
            Assert.DoesNotContain(tables.Keys, Hinting.Contains);
        }
        var text = PdfText.Extract(pdf);
        Assert.Contains(doc.BillTo.Name, text);
        Assert.Contains("INVOICE", text);
        // With Liberation Sans the sample invoice was 46 KiB with hinting and is 31 KiB without.
        Assert.True(pdf.Length < 36 * 1024, $"{pdf.Length:N0} bytes");
    }

    [Fact]
    public void Does_strip_the_faces_inside_pdfsharp_when_no_font_is_installed()
    {
        using var empty = new TempDirectory();
        var catalog = FontCatalog.Discover(empty.Path, null);
        var tables = Font.Read(catalog.Regular.Data).Tables;
        Assert.DoesNotContain(tables.Keys, Hinting.Contains);
        Assert.True(catalog.PrimaryCoverage.Covers('A'));
    }

    public static TheoryData<string, byte[]> Unreadable => new()
    {
        { "empty", [] },
        { "the first 300 bytes of a font", File.ReadAllBytes(Liberation)[..300] },
        { "a CFF-flavoured OpenType font", [.. "OTTO"u8, .. File.ReadAllBytes(Liberation)[4..]] },
        { "a font collection", [.. "ttcf"u8, .. File.ReadAllBytes(Liberation)[4..]] },
        { "not a font", Encoding.ASCII.GetBytes("%PDF-1.7 this is not a font, only some text of some length") },
        { "a glyph offset past the end of glyf", WithLastLocaEntry(File.ReadAllBytes(Liberation), uint.MaxValue / 2) },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public void Does_return_a_font_it_cannot_read_unchanged(string what, byte[] font)
    {
        Assert.Same(font, UnhintedFont.Strip(font));
        Assert.False(string.IsNullOrEmpty(what));
    }

    private static byte[] WithLastLocaEntry(byte[] font, uint value)
    {
        var (offset, length, _) = Font.Read(font).Records["loca"];
        BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(offset + length - 4), value); // Liberation's loca has long offsets
        return font;
    }

    private static int CompositeFlags(ReadOnlySpan<byte> glyph)
    {
        int all = 0, at = 10, flags;
        do
        {
            flags = BinaryPrimitives.ReadUInt16BigEndian(glyph[at..]);
            all |= flags;
            at += 4 + ((flags & 1) != 0 ? 4 : 2) + ((flags & 0x08) != 0 ? 2 : (flags & 0x40) != 0 ? 4 : (flags & 0x80) != 0 ? 8 : 0);
        } while ((flags & 0x20) != 0);
        return all;
    }

    private static uint Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        Span<byte> word = stackalloc byte[4];
        for (var i = 0; i < data.Length; i += 4)
        {
            word.Clear();
            data.Slice(i, Math.Min(4, data.Length - i)).CopyTo(word);
            sum = unchecked(sum + BinaryPrimitives.ReadUInt32BigEndian(word));
        }
        return sum;
    }

    /// <summary>The uncompressed FontFile2 streams of a PDF written by PDFsharp.</summary>
    private static List<byte[]> EmbeddedFontPrograms(byte[] pdf)
    {
        var text = Encoding.Latin1.GetString(pdf);
        var found = new List<byte[]>();
        foreach (Match m in Regex.Matches(text, @"<<(?=[^>]*/Length1 (\d+))[^>]*/Length (\d+)[^>]*>>\s*stream\r?\n"))
        {
            var start = m.Index + m.Length + 2; // PDFsharp's zlib header; the rest is raw deflate
            using var inflate = new DeflateStream(new MemoryStream(pdf, start, int.Parse(m.Groups[2].Value) - 2), CompressionMode.Decompress);
            using var output = new MemoryStream();
            inflate.CopyTo(output);
            Assert.Equal(int.Parse(m.Groups[1].Value), (int)output.Length);
            found.Add(output.ToArray());
        }
        return found;
    }

    /// <summary>A TrueType table reader written for these tests, independent of the code under test.</summary>
    private sealed class Font
    {
        public required Dictionary<string, byte[]> Tables { get; init; }
        public required Dictionary<string, (int Offset, int Length, uint Checksum)> Records { get; init; }
        public int GlyphCount => BinaryPrimitives.ReadUInt16BigEndian(Tables["maxp"].AsSpan(4));

        public static Font Read(byte[] font)
        {
            var records = new Dictionary<string, (int, int, uint)>();
            var tables = new Dictionary<string, byte[]>();
            for (var i = 0; i < BinaryPrimitives.ReadUInt16BigEndian(font.AsSpan(4)); i++)
            {
                var r = font.AsSpan(12 + 16 * i);
                var tag = Encoding.ASCII.GetString(r[..4]);
                var (offset, length) = ((int)BinaryPrimitives.ReadUInt32BigEndian(r[8..]), (int)BinaryPrimitives.ReadUInt32BigEndian(r[12..]));
                records[tag] = (offset, length, BinaryPrimitives.ReadUInt32BigEndian(r[4..]));
                tables[tag] = font.AsSpan(offset, length).ToArray();
            }
            return new Font { Tables = tables, Records = records };
        }

        public ReadOnlySpan<byte> Glyph(int g)
        {
            var longOffsets = BinaryPrimitives.ReadInt16BigEndian(Tables["head"].AsSpan(50)) == 1;
            var loca = Tables["loca"];
            int At(int i) => longOffsets ? (int)BinaryPrimitives.ReadUInt32BigEndian(loca.AsSpan(i * 4)) : BinaryPrimitives.ReadUInt16BigEndian(loca.AsSpan(i * 2)) * 2;
            return Tables["glyf"].AsSpan(At(g), At(g + 1) - At(g));
        }
    }
}
