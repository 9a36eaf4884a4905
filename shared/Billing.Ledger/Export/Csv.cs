namespace Billing.Ledger;

/// <summary>RFC 4180 writing: CRLF rows, fields quoted when they hold a comma, a quote or a line break.</summary>
internal static class Csv
{
    public static void WriteRow(TextWriter writer, params string?[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
                writer.Write(',');
            writer.Write(Field(fields[i]));
        }
        writer.Write("\r\n");
    }

    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "";
        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
    }
}
