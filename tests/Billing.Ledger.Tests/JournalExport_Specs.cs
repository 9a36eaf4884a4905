using System.Text.Json;

namespace Billing.Ledger.Tests;

public class When_the_journal_is_exported_as_csv
{
    static JournalEntry Entry(string currency, string description, long amount = 123456) => new(
        Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001"), SourceTypes.Refund, "re_1",
        Guid.Parse("bbbbbbbb-0000-0000-0000-000000000001"), null, currency, new DateTimeOffset(2026, 10, 5, 14, 30, 0, TimeSpan.FromHours(2)),
        [JournalLine.Debit(LedgerAccounts.Refunds, amount, description), JournalLine.Credit(LedgerAccounts.Cash, amount, "plain")])
    { TraceId = "4bf92f3577b34da6a3ce929d0e0e4736" };

    static string[] Rows(params JournalEntry[] entries)
    {
        var writer = new StringWriter();
        JournalExport.WriteCsv(entries, writer);
        var text = writer.ToString();
        Assert.EndsWith("\r\n", text);
        return text[..^2].Split("\r\n");
    }

    [Fact]
    public void Does_write_a_header_and_one_row_per_line_with_minor_and_major_amounts()
    {
        var rows = Rows(Entry("USD", "Credit note"));

        Assert.Equal("entry_id,source_type,source_id,invoice_id,account_id,currency,posted_at,trace_id,line_no,ledger_account,debit_minor,credit_minor,debit,credit,description", rows[0]);
        Assert.Equal(
            "aaaaaaaa-0000-0000-0000-000000000001,refund,re_1,bbbbbbbb-0000-0000-0000-000000000001,,USD,2026-10-05T12:30:00.0000000Z,"
            + "4bf92f3577b34da6a3ce929d0e0e4736,1,contra_revenue:refunds,123456,0,1234.56,0.00,Credit note",
            rows[1]);
        Assert.EndsWith(",2,cash,0,123456,0.00,1234.56,plain", rows[2]);
        Assert.Equal(3, rows.Length);
    }

    [Fact]
    public void Does_quote_fields_with_commas_quotes_and_line_breaks_as_rfc_4180_says()
    {
        var writer = new StringWriter();
        JournalExport.WriteCsv([Entry("USD", "Refund \"goodwill\", line 1\nline 2")], writer);

        Assert.Contains(",\"Refund \"\"goodwill\"\", line 1\nline 2\"\r\n", writer.ToString());
    }

    [Theory]
    [InlineData("JPY", 1500, "1500")]
    [InlineData("ISK", 12345, "12345")]
    [InlineData("KWD", 1500, "1.500")]
    [InlineData("EUR", 5, "0.05")]
    public void Does_format_major_units_with_the_currency_decimals(string currency, long minor, string major) =>
        Assert.Equal(major, Rows(Entry(currency, "x", minor))[1].Split(',')[12]);
}

public class When_the_journal_is_exported_as_json
{
    [Fact]
    public void Does_write_snake_case_entries_that_read_back_the_same()
    {
        var entry = PostingRules.ForInvoice(Sample.MultiStreamInvoice(), Sample.At) with { TraceId = "t-1" };
        var writer = new StringWriter();

        JournalExport.WriteJson([entry], writer);

        var json = writer.ToString();
        Assert.Contains("\"source_type\":\"invoice\"", json);
        Assert.Contains("\"ledger_account\":\"accounts_receivable\",\"debit_minor\":2618,\"credit_minor\":0", json);
        Assert.Contains("\"trace_id\":\"t-1\"", json);
        var back = Assert.Single(JsonSerializer.Deserialize<List<JournalEntry>>(json, LedgerJson.Options)!);
        Assert.Equal((entry.Id, entry.SourceKey, entry.PostedAt, entry.TraceId), (back.Id, back.SourceKey, back.PostedAt, back.TraceId));
        Assert.Equal(entry.Lines, back.Lines);
    }
}
