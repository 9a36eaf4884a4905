using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Billing.Data;

/// <summary>One forward-only schema change, from a file named <c>NNNN_name.sql</c>.</summary>
public sealed partial record Migration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the file with line endings normalised, so a checkout on Windows does not look changed.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(
        SHA256.HashData(Encoding.UTF8.GetBytes(Sql.Replace("\r\n", "\n"))));

    public string FileName => $"{Version:D4}_{Name}.sql";

    public static Migration FromFile(string fileName, string sql)
    {
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
            throw new MigrationException($"migration file '{fileName}' is not named NNNN_name.sql");
        return new Migration(int.Parse(match.Groups[1].Value), match.Groups[2].Value, sql);
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();
}

public sealed class MigrationException(string message) : Exception(message);
