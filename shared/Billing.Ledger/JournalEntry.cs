using System.Text.Json.Serialization;

namespace Billing.Ledger;

/// <summary>
/// A balanced set of postings for one source document, all in one currency.
/// <see cref="SourceType"/> + <see cref="SourceId"/> is its deterministic key (unique in the ledger), and
/// <see cref="Id"/> is derived from that key so every redelivery builds the very same entry.
/// </summary>
public sealed record JournalEntry(
    Guid Id,
    string SourceType,
    string SourceId,
    Guid? InvoiceId,
    Guid? AccountId,
    string Currency,
    DateTimeOffset PostedAt,
    IReadOnlyList<JournalLine> Lines)
{
    /// <summary>Trace of the message that caused the posting (stored with the entry).</summary>
    public string? TraceId { get; init; }

    /// <summary>Key used to find the entry in the ledger or in an external accounting system.</summary>
    [JsonIgnore]
    public string SourceKey => SourceKeys.For(SourceType, SourceId);

    [JsonIgnore]
    public long TotalDebitMinor => Lines.Sum(l => l.DebitMinor);

    [JsonIgnore]
    public long TotalCreditMinor => Lines.Sum(l => l.CreditMinor);

    /// <summary>Throws <see cref="UnbalancedEntryException"/> unless the entry is well-formed and debits equal credits.</summary>
    public void EnsureBalanced()
    {
        var error = FindError(out var debit, out var credit);
        if (error is not null)
            throw new UnbalancedEntryException(SourceKey, Currency, debit, credit, $"journal entry {SourceKey}: {error}");
    }

    string? FindError(out long debit, out long credit)
    {
        debit = 0;
        credit = 0;
        if (!Currencies.IsKnown(Currency))
            return $"currency '{Currency}' is not a known upper-case ISO 4217 code";
        if (Lines is null || Lines.Count == 0)
            return "has no lines";
        for (var i = 0; i < Lines.Count; i++)
        {
            var line = Lines[i];
            if (string.IsNullOrWhiteSpace(line.LedgerAccount))
                return $"line {i + 1} has no ledger account";
            if (line.DebitMinor < 0 || line.CreditMinor < 0)
                return $"line {i + 1} ({line.LedgerAccount}) has a negative amount";
            if (line.DebitMinor > 0 && line.CreditMinor > 0)
                return $"line {i + 1} ({line.LedgerAccount}) is both a debit and a credit";
            try
            {
                debit = checked(debit + line.DebitMinor);
                credit = checked(credit + line.CreditMinor);
            }
            catch (OverflowException)
            {
                return "amounts overflow a 64-bit minor-unit total";
            }
        }
        return debit == credit ? null : $"debits {debit} ≠ credits {credit} {Currency}";
    }
}
