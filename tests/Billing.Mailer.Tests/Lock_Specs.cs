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
