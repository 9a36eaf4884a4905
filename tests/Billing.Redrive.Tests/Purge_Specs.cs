using Billing.Redrive.Tests.Infrastructure;

namespace Billing.Redrive.Tests;

public sealed class When_purging_a_dead_letter_queue() : FakeErrorQueue(5)
{
    [Fact]
    public async Task Refuses_without_the_exact_name_and_count_and_deletes_nothing()
    {
        var redriver = new Redriver(Vhost.Options());

        await Assert.ThrowsAsync<PurgeRefusedException>(() => redriver.PurgeAsync(Error, Target, 5, "dfr"));
        await Assert.ThrowsAsync<PurgeRefusedException>(() => redriver.PurgeAsync(Error, Error, 4, "dfr"));
        await Assert.ThrowsAsync<PurgeRefusedException>(() => redriver.PurgeAsync(Error, Error, 6, "dfr"));
        await Assert.ThrowsAsync<PurgeRefusedException>(() => redriver.PurgeAsync(Error, Error, 0, "dfr"));
        await Assert.ThrowsAsync<ArgumentException>(() => redriver.PurgeAsync(Target, Target, 0, "dfr"));
        await Assert.ThrowsAsync<ArgumentException>(() => redriver.PurgeAsync(Error, Error, 5, ""));

        Assert.Equal(5u, await Broker.CountAsync(Connection, Error));
    }

    [Fact]
    public async Task Deletes_exactly_the_confirmed_messages_and_audits_it()
    {
        var database = new AuditDatabase();
        await database.InitializeAsync();
        try
        {
            var purged = await new Redriver(Vhost.Options(), database.Store).PurgeAsync(Error, Error, 5, "dfr");

            Assert.Equal(5, purged);
            Assert.Equal(0u, await Broker.CountAsync(Connection, Error));
            var row = Assert.Single(await database.Store.ListAsync(Error));
            Assert.Equal((RedriveActions.Purge, 5L, "dfr"), (row.Action, row.Moved, row.RequestedBy));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}

public sealed class When_archiving_and_restoring() : FakeErrorQueue(6)
{
    [Fact]
    public async Task Moves_messages_aside_untouched_and_back_again()
    {
        var redriver = new Redriver(Vhost.Options());
        var some = new RedriveFilter { MessageIds = [Ids[1], Ids[4]] };

        var archived = await redriver.ArchiveAsync(Error, "dfr", some);
        var listed = await new DeadLetterQueues(Vhost.Options()).ListAsync();
        var inArchive = await new DeadLetterInspector(Vhost.Options()).PeekAsync(Error + "_archive");
        var restored = await redriver.RestoreAsync(Error, "dfr");

        Assert.Equal((2L, 4L), (archived.Moved, archived.Skipped));
        Assert.Contains(listed, q => q.Name == Error + "_archive" && q.Messages == 2 && q.Kind == DeadLetterKind.Archive && q.SourceQueue == Error);
        Assert.Equal([Ids[1], Ids[4]], inArchive.Select(m => m.MessageId));
        Assert.All(inArchive, m => Assert.Equal("System.InvalidOperationException", m.ExceptionType));
        Assert.All(inArchive, m => Assert.Equal(Target, m.OriginalQueue));
        Assert.Equal(2, restored.Moved);
        Assert.Equal(0u, await Broker.CountAsync(Connection, Error + "_archive"));
        var back = await Broker.DrainAsync(Connection, Error);
        Assert.Equal(Ids.Order(), back.Select(m => m.Properties.MessageId!).Order());
        Assert.All(back, m => Assert.NotNull(m.Header(RedriveHeaders.FaultExceptionType)));
        Assert.All(back, m => Assert.Null(m.Header(RedriveHeaders.RedriveCount)));
    }

    [Fact]
    public async Task Refuses_to_archive_an_archive_or_an_ordinary_queue()
    {
        var redriver = new Redriver(Vhost.Options());
        await Assert.ThrowsAsync<ArgumentException>(() => redriver.ArchiveAsync(Error + "_archive", "dfr"));
        await Assert.ThrowsAsync<ArgumentException>(() => redriver.ArchiveAsync(Target, "dfr"));
        await Assert.ThrowsAsync<ArgumentException>(() => redriver.RestoreAsync(Error + "_archive", "dfr"));
        await Assert.ThrowsAsync<ArgumentException>(() => redriver.ArchiveAsync(Error, " "));
        Assert.Equal(6u, await Broker.CountAsync(Connection, Error));
    }
}
