using System.Text.RegularExpressions;

namespace Billing.Testing.FakeStripe;

/// <summary>
/// The part of Stripe's search language the client uses: exact matches on metadata['key'], customer, status,
/// currency or number, joined by AND, strings in single quotes with backslash escapes.
/// </summary>
internal static partial class FakeSearchQuery
{
    [GeneratedRegex(@"\G\s*(?:metadata\['(?<key>(?:[^'\\]|\\.)*)'\]|(?<field>customer|status|currency|number)):'(?<value>(?:[^'\\]|\\.)*)'\s*")]
    private static partial Regex Clause();

    [GeneratedRegex(@"\GAND\s+")]
    private static partial Regex And();

    public static Func<FakeInvoice, bool>? TryParse(string query)
    {
        var clauses = new List<Func<FakeInvoice, bool>>();
        var at = 0;
        while (true)
        {
            var m = Clause().Match(query, at);
            if (!m.Success) return null;
            var value = Unescape(m.Groups["value"].Value);
            if (m.Groups["key"].Success)
            {
                var key = Unescape(m.Groups["key"].Value);
                clauses.Add(i => i.Metadata.TryGetValue(key, out var v) && v == value);
            }
            else
            {
                var field = m.Groups["field"].Value;
                clauses.Add(i => field switch
                {
                    "customer" => i.Customer == value,
                    "status" => i.Status == value,
                    "currency" => i.Currency == value,
                    _ => i.Number == value,
                });
            }
            at = m.Index + m.Length;
            if (at == query.Length) return i => clauses.TrueForAll(c => c(i));
            var and = And().Match(query, at);
            if (!and.Success) return null;
            at = and.Index + and.Length;
        }
    }

    private static string Unescape(string s) => Regex.Replace(s, @"\\(.)", "$1");
}
