using PdfSharp.Drawing;

namespace Billing.Pdf.Rendering;

/// <summary>Greedy word wrap by measured width; words longer than a line (URLs, ids) are broken by character.</summary>
internal static class TextWrapper
{
    private const string Ellipsis = "...";

    public static IReadOnlyList<string> Wrap(XGraphics g, FittedText text, double width, int maxLines)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var word in text.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = current.Length == 0 ? word : current + " " + word;
            if (Width(g, candidate, text.Font) <= width)
            {
                current = candidate;
                continue;
            }
            if (current.Length > 0) lines.Add(current);
            current = word;
            while (Width(g, current, text.Font) > width)
            {
                var cut = LongestFittingPrefix(g, current, text.Font, width);
                lines.Add(current[..cut]);
                current = current[cut..];
            }
        }
        if (current.Length > 0 || lines.Count == 0) lines.Add(current);
        return lines.Count <= maxLines ? lines : Truncate(g, lines, text.Font, width, maxLines);
    }

    private static int LongestFittingPrefix(XGraphics g, string word, XFont font, double width)
    {
        int low = 1, high = word.Length - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (Width(g, word[..mid], font) <= width) low = mid;
            else high = mid - 1;
        }
        // Never split a surrogate pair, and always make progress even when one character is wider than the column.
        if (char.IsHighSurrogate(word[low - 1]) && low > 1) low--;
        return Math.Max(low, 1);
    }

    private static List<string> Truncate(XGraphics g, List<string> lines, XFont font, double width, int maxLines)
    {
        var kept = lines.Take(maxLines).ToList();
        var last = kept[^1];
        while (last.Length > 0 && Width(g, last + Ellipsis, font) > width) last = last[..^1];
        kept[^1] = last + Ellipsis;
        return kept;
    }

    private static double Width(XGraphics g, string text, XFont font) => g.MeasureString(text, font).Width;
}
