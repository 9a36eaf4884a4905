using PdfSharp.Drawing;

namespace Billing.Pdf.Rendering;

/// <summary>Greedy word wrap by measured width; words longer than a line (URLs, ids) are broken by character.</summary>
internal static class TextWrapper
{
    private const string Ellipsis = "...";

    public static IReadOnlyList<FittedText> Wrap(XGraphics g, FittedText text, double width, int maxLines)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var word in text.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = current.Length == 0 ? word : current + " " + word;
            if (Width(g, text, candidate) <= width)
            {
                current = candidate;
                continue;
            }
            if (current.Length > 0) lines.Add(current);
            current = word;
            while (Width(g, text, current) > width)
            {
                var cut = LongestFittingPrefix(g, text, current, width);
                lines.Add(current[..cut]);
                current = current[cut..];
            }
        }
        if (current.Length > 0 || lines.Count == 0) lines.Add(current);
        if (lines.Count > maxLines) lines = Truncate(g, text, lines, width, maxLines);
        return lines.Select(text.WithText).ToList();
    }

    private static int LongestFittingPrefix(XGraphics g, FittedText text, string word, double width)
    {
        int low = 1, high = word.Length - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (Width(g, text, word[..mid]) <= width) low = mid;
            else high = mid - 1;
        }
        // Never split a surrogate pair, and always make progress even when one character is wider than the column.
        if (low > 1 && char.IsHighSurrogate(word[low - 1])) low--;
        return Math.Max(low, 1);
    }

    private static List<string> Truncate(XGraphics g, FittedText text, List<string> lines, double width, int maxLines)
    {
        var kept = lines.Take(maxLines).ToList();
        var last = kept[^1];
        while (last.Length > 0 && Width(g, text, last + Ellipsis) > width) last = last[..^1];
        kept[^1] = last + Ellipsis;
        return kept;
    }

    private static double Width(XGraphics g, FittedText text, string part) => text.WithText(part).Width(g);
}
