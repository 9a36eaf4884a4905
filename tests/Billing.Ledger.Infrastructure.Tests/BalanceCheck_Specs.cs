using Billing.Testing;
using Npgsql;

namespace Billing.Ledger.Infrastructure.Tests;

/// <summary>
/// 0009 checks the balance once per new entry instead of once per line: these are the cases that must still fail.
/// </summary>
public sealed class When_journal_lines_are_written_directly : IAsyncLifetime
{
    TestDatabase db = null!;
    static readonly Guid Old = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("balancecheck");
        await ExecAsync($"""
            insert into journal_entries (id, source_type, source_id, currency, posted_at) values ('{Old}', 'invoice', 'old', 'USD', now());
            insert into journal_lines (entry_id, line_no, ledger_account, debit_minor, credit_minor) values
              ('{Old}', 1, 'accounts_receivable', 300, 0), ('{Old}', 2, 'revenue:subscription', 0, 200), ('{Old}', 3, 'tax_payable', 0, 100);
            """);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    async Task ExecAsync(string sql)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand(sql, conn, tx))
            await cmd.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    static string NewEntry(Guid id, long debit, long credit) => $"""
        insert into journal_entries (id, source_type, source_id, currency, posted_at) values ('{id}', 'payment', '{id}', 'USD', now());
        insert into journal_lines (entry_id, line_no, ledger_account, debit_minor, credit_minor) values
          ('{id}', 1, 'cash', {debit}, 0), ('{id}', 2, 'accounts_receivable', 0, {credit});
        """;

    async Task<long> CountAsync(string sql)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Does_commit_a_balanced_new_entry_and_refuse_an_unbalanced_one()
    {
        await ExecAsync(NewEntry(Guid.NewGuid(), 50, 50));
        var ex = await Assert.ThrowsAsync<PostgresException>(() => ExecAsync(NewEntry(Guid.NewGuid(), 50, 49)));
        Assert.Contains("unbalanced", ex.MessageText);
        Assert.Equal(2, await CountAsync("select count(*) from journal_entries"));
    }

    [Fact]
    public async Task Does_refuse_a_line_added_to_or_deleted_from_an_older_entry()
    {
        var added = await Assert.ThrowsAsync<PostgresException>(() => ExecAsync(
            $"insert into journal_lines (entry_id, line_no, ledger_account, debit_minor, credit_minor) values ('{Old}', 4, 'cash', 5, 0)"));
        Assert.Contains("unbalanced", added.MessageText);
        var deleted = await Assert.ThrowsAsync<PostgresException>(() => ExecAsync($"delete from journal_lines where entry_id = '{Old}' and line_no = 3"));
        Assert.Contains("unbalanced", deleted.MessageText);
        Assert.Equal(3, await CountAsync($"select count(*) from journal_lines where entry_id = '{Old}'"));
    }

    [Fact]
    public async Task Does_refuse_an_entry_without_lines_and_allow_deleting_a_whole_entry()
    {
        var empty = await Assert.ThrowsAsync<PostgresException>(() => ExecAsync(
            $"insert into journal_entries (id, source_type, source_id, currency, posted_at) values ('{Guid.NewGuid()}', 'refund', 'r', 'USD', now())"));
        Assert.Contains("has no lines", empty.MessageText);
        await ExecAsync($"delete from journal_entries where id = '{Old}'");
        Assert.Equal(0, await CountAsync("select count(*) from journal_lines"));
    }
}
