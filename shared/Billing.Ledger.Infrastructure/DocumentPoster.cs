using Billing.Ledger;
using Npgsql;

namespace Billing.Ledger.Infrastructure;

/// <summary>Outcome of posting a payment, refund or dispute: the entry, whether this call inserted it, the invoice status after.</summary>
public sealed record PostedDocument(JournalEntry Entry, bool Inserted, InvoiceBalance Balance, string Status);

/// <summary>The invoice row does not exist: the document can never be posted.</summary>
public sealed class UnknownInvoiceException(Guid invoiceId) : Exception($"invoice {invoiceId} does not exist")
{
    public Guid InvoiceId { get; } = invoiceId;
}

/// <summary>The invoice exists but its own entry is not in the ledger yet (InvoiceFinalized not consumed): worth a retry.</summary>
public sealed class InvoiceNotSyncedException(Guid invoiceId) : Exception($"invoice {invoiceId} has no invoice entry in the ledger yet")
{
    public Guid InvoiceId { get; } = invoiceId;
}

/// <summary>
/// Posts a payment, refund or dispute of one invoice. The invoice row is locked for the transaction, so two
/// documents of the same invoice are checked against each other's effect (two refunds cannot both fit in what
/// was paid). A document already in the ledger is returned as it is, before any rule runs: the balance then
/// already includes it and the rule would wrongly refuse the redelivery.
/// </summary>
public sealed class DocumentPoster(NpgsqlDataSource dataSource)
{
    const string LockSql = "select status from invoices where id = @id for update";

    const string SetStatusSql = "update invoices set status = @status where id = @id and status = @from";

    public async Task<PostedDocument> PostAsync(Guid invoiceId, string sourceType, string sourceId,
        Func<InvoiceBalance, JournalEntry> rule, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var status = await LockAsync(conn, tx, invoiceId, ct);
        var entries = await LedgerStore.ForInvoiceAsync(conn, tx, invoiceId, ct);
        if (!entries.Any(e => e.SourceType == SourceTypes.Invoice))
            throw new InvoiceNotSyncedException(invoiceId);

        var existing = entries.FirstOrDefault(e => e.SourceType == sourceType && e.SourceId == sourceId);
        var balance = InvoiceBalance.FromLedger(entries);
        if (existing is not null)
            return new PostedDocument(existing, Inserted: false, balance, status);

        var entry = rule(balance);
        var inserted = (await LedgerStore.InsertAsync(conn, tx, [entry], ct)).Contains(entry.Id);
        balance = balance.Apply(entry);
        // Stripe marks an invoice paid once nothing remains due, whether by payment or by credit note.
        if (status == "open" && sourceType is SourceTypes.Payment or SourceTypes.Refund
            && balance.PaidMinor + balance.CreditedToReceivableMinor >= balance.TotalMinor)
        {
            await SetStatusAsync(conn, tx, invoiceId, "open", "paid", ct);
            status = "paid";
        }
        await tx.CommitAsync(ct);
        return new PostedDocument(entry, inserted, balance, status);
    }

    /// <summary>open → uncollectible; returns the status after (unchanged when it was not open).</summary>
    public async Task<string> MarkUncollectibleAsync(Guid invoiceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var status = await LockAsync(conn, tx, invoiceId, ct);
        if (status == "open")
        {
            await SetStatusAsync(conn, tx, invoiceId, "open", "uncollectible", ct);
            status = "uncollectible";
        }
        await tx.CommitAsync(ct);
        return status;
    }

    /// <summary>Whether the invoice exists, and its status.</summary>
    public async Task<string?> StatusAsync(Guid invoiceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("select status from invoices where id = @id", conn);
        cmd.Parameters.AddWithValue("id", invoiceId);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    static async Task<string> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid invoiceId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(LockSql, conn, tx);
        cmd.Parameters.AddWithValue("id", invoiceId);
        return await cmd.ExecuteScalarAsync(ct) as string ?? throw new UnknownInvoiceException(invoiceId);
    }

    static async Task SetStatusAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid invoiceId, string from, string to, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(SetStatusSql, conn, tx);
        cmd.Parameters.AddWithValue("id", invoiceId);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("status", to);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>Where a refund's money goes: back to the card when it was paid, else off what the customer owes.</summary>
public static class RefundPolicy
{
    /// <summary>
    /// Cash when the invoice still holds enough of what was paid; the receivable (a credit note reducing the amount
    /// due) when nothing was ever paid. A refund above what was paid on a paid invoice goes to cash and is refused
    /// by the rule with its reason.
    /// </summary>
    public static bool ToReceivable(InvoiceBalance balance, long amountMinor) =>
        amountMinor > balance.CashHeldMinor && balance.PaidMinor == 0;
}
