using Billing.Mailer.Delivery;
using Billing.Mailer.Tests.Infrastructure;
using Dapper;

namespace Billing.Mailer.Tests;

/// <summary>
/// A delivery holds its invoice's lock until the acceptance of its email is committed: a copy of the message waiting
/// for the lock (a redelivery, a redrive, a second consumer) reads the delivery as accepted and sends nothing, even when
/// the acceptance and the unlock share one round trip.
/// </summary>
public sealed class When_a_copy_of_the_message_waits_for_the_invoice_while_its_email_is_accepted : IAsyncLifetime
{
    // Every commit that updated a delivery takes half a second (a deferred trigger runs at COMMIT): a lock released
    // before its commit would hand the waiting copy a delivery still marked as sending.
    private const string SlowCommitSql = """
        create function slow_commit() returns trigger language plpgsql as $$ begin perform pg_sleep(0.5); return null; end $$;
        create constraint trigger slow_commit after update on email_deliveries deferrable initially deferred
            for each row execute function slow_commit();
        """;

    private MailerHarness h = null!;

    public async Task InitializeAsync() => h = await MailerHarness.StartAsync("maillock");

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Does_release_the_lock_only_once_the_acceptance_is_committed()
    {
        var invoice = await h.InvoiceAsync("lock@example.org");
        await using (var conn = await h.Db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync(SlowCommitSql);
        var store = new MailerStore(h.Db.DataSource);

        var first = await store.OpenLockedAsync(invoice.InvoiceId, default);
        await first.ClaimAsync(1, "initial", "<invoice-lock@example.org>", invoice.Sha256!, invoice.Email, default);
        var copy = store.OpenLockedForRenderedAsync(invoice.InvoiceId, default);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(copy.IsCompleted, "the copy took the lock the first delivery holds");

        await first.AcceptAsync(1, DateTimeOffset.UtcNow, release: true);
        var (session, state) = await copy.WaitAsync(TimeSpan.FromSeconds(30));
        await using (session)
            Assert.Equal(("accepted", "sent"), (state.Initial?.State, await h.EmailStatusAsync(invoice.InvoiceId)));

        // Released: the first session refuses further work rather than write without the lock.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => first.RecordErrorAsync(1, "late"));
        Assert.Contains("released", refused.Message);
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Does_release_the_lock_when_recording_the_acceptance_fails()
    {
        var invoice = await h.InvoiceAsync("fails@example.org");
        var store = new MailerStore(h.Db.DataSource);
        await using (var conn = await h.Db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync($"""
                create function refuse_acceptance() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$;
                create trigger refuse_acceptance before update on email_deliveries for each row
                    when (new.invoice_id = '{invoice.InvoiceId}' and new.state = 'accepted') execute function refuse_acceptance();
                """);

        var session = await store.OpenLockedAsync(invoice.InvoiceId, default);
        await session.ClaimAsync(1, "initial", "<invoice-fails@example.org>", invoice.Sha256!, invoice.Email, default);
        var failed = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => session.AcceptAsync(1, DateTimeOffset.UtcNow, release: true));
        Assert.Contains("refused", failed.MessageText);
        await session.DisposeAsync();

        // The connection went back to the pool without the lock (a pooled connection holding it would make every later
        // delivery of this invoice wait until it is used again), and nothing of the acceptance was written. Looked at from
        // a connection of its own: the pool's next use of that connection would release the lock on its way.
        await using var check = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(h.Db.ConnectionString) { Pooling = false }.ConnectionString);
        await check.OpenAsync();
        Assert.Equal(0, await check.ExecuteScalarAsync<int>(
            "select count(*) from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())"));
        var delivery = Assert.Single(await h.Deliveries.ListAsync(invoice.InvoiceId, default));
        Assert.Equal("sending", delivery.State);
    }

    [Fact]
    public async Task Does_keep_the_lock_after_an_acceptance_that_is_not_the_last_delivery()
    {
        var invoice = await h.InvoiceAsync("keep@example.org");
        var store = new MailerStore(h.Db.DataSource);

        var first = await store.OpenLockedAsync(invoice.InvoiceId, default);
        await first.ClaimAsync(2, "resend", "<invoice-keep@example.org>", invoice.Sha256!, invoice.Email, default);
        await first.AcceptAsync(2, DateTimeOffset.UtcNow);
        var copy = store.OpenLockedAsync(invoice.InvoiceId, default);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(copy.IsCompleted, "the copy took the lock while the first session still delivers");

        await first.DisposeAsync();
        await using var second = await copy.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(await second.LoadInvoiceAsync(default));
    }
}
