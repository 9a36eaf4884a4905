using System.Globalization;
using Spectre.Console;

namespace Billing.Cli;

/// <summary>
/// How lists are written. In a terminal: tables drawn to the console's width. Without one (output redirected to a file
/// or a pipe): one line per row, cells separated by a tab (`cut -f`, `awk -F'\t'`), a header line first, no box drawing,
/// no colour codes and no width limit, so nothing is cut or wrapped whatever COLUMNS says. An empty list says so on stderr.
/// Long lists end with "showing N of M — next: &lt;command&gt;".
/// </summary>
public static class Output
{
    public static bool IsTerminal => !Console.IsOutputRedirected;

    public static Rows Table(params string[] columns) => new(columns, markup: false);

    /// <summary>A table whose cells are Spectre markup (escaped with <c>Markup.Escape</c>, or styled): drawn as such in a
    /// terminal, stripped to their text without one.</summary>
    public static Rows MarkupTable(params string[] columns) => new(columns, markup: true);

    /// <summary>"showing 100 of 222 — next: billing errors list --offset 100", or "showing 5 of 5 errors" when nothing is left.</summary>
    /// <param name="count">How many this page holds; <paramref name="total"/> of all, <paramref name="offset"/> before it.</param>
    /// <param name="next">The next page's offset; null on the last page.</param>
    /// <param name="command">The command that lists this page, without its --offset; the next page's offset is added.</param>
    public static void Page(string noun, int count, long total, int offset, int? next, IReadOnlyList<string> command) =>
        Console.WriteLine(next is { } n
            ? $"showing {Range(count, offset)} of {total:N0} {noun} — next: {string.Join(' ', command.Select(Quote))} --offset {n.ToString(CultureInfo.InvariantCulture)}"
            : $"showing {Range(count, offset)} of {total:N0} {noun}");

    /// <summary>The same for a keyset page: the next page starts after <paramref name="next"/>.</summary>
    public static void PageAfter(string noun, int count, long total, int offset, Guid? next, IReadOnlyList<string> command) =>
        Console.WriteLine(next is { } n
            ? $"showing {Range(count, offset)} of {total:N0} {noun} — next: {string.Join(' ', command.Select(Quote))} --after {n}"
            : $"showing {Range(count, offset)} of {total:N0} {noun}");

    private static string Range(int count, int offset) =>
        offset == 0 ? $"{count:N0}" : count == 0 ? "none" : $"{offset + 1:N0}–{offset + count:N0}";

    /// <summary>An argument as a shell reads it back.</summary>
    public static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or '@' or ',')
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public sealed class Rows(string[] columns, bool markup)
    {
        private readonly List<string[]> _rows = [];

        public int Count => _rows.Count;

        public void Add(params string[] cells) => _rows.Add(cells);

        public void AddRow(params string[] cells) => _rows.Add(cells);

        /// <param name="empty">What an empty list says instead (on stderr without a terminal, so a script reads only the header).</param>
        public void Write(bool headers = true, string empty = "nothing to list")
        {
            if (_rows.Count == 0)
            {
                if (IsTerminal)
                {
                    Console.WriteLine(empty);
                    return;
                }
                Console.Error.WriteLine(empty);
            }
            if (IsTerminal)
            {
                var table = new Table().Border(TableBorder.Rounded);
                if (!headers) table.HideHeaders();
                foreach (var c in columns) table.AddColumn(new TableColumn(Markup.Escape(c)));
                foreach (var r in _rows)
                    table.AddRow(r.Select(c => markup ? (Spectre.Console.Rendering.IRenderable)new Markup(c) : new Text(c)));
                AnsiConsole.Write(table);
                return;
            }
            // One line per row: a tab or line break inside a value would split it.
            static string Clean(string cell) => cell.ReplaceLineEndings(" ").Replace('\t', ' ');
            if (headers) Console.WriteLine(string.Join('\t', columns.Select(Clean)));
            foreach (var r in _rows) Console.WriteLine(string.Join('\t', r.Select(c => Clean(markup ? Markup.Remove(c) : c))));
        }
    }
}
