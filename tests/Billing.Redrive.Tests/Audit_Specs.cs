using Billing.Redrive.Tests.Infrastructure;

namespace Billing.Redrive.Tests;

public sealed class When_audit_entries_are_written(AuditDatabase database) : IClassFixture<AuditDatabase>
{
    private static RedriveAuditEntry Entry(string queue, DateTimeOffset at, string action = RedriveActions.Redrive) => new(
        Guid.NewGuid(), action, queue, "ops@example.com", """{"exceptionType":"System.TimeoutException"}""", false, 250,
        10, 7, 1, 1, 1, RedriveOutcomes.Completed, null, at, at.AddSeconds(3));

    [Fact]
    public async Task Lists_them_newest_first_per_queue_with_every_field()
    {
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        var first = Entry("a_error", at);
        var second = Entry("a_error", at.AddMinutes(1)) with { DryRun = true, Rate = null, Error = "x" , Outcome = RedriveOutcomes.Failed };
        await database.Store.InsertAsync(first);
        await database.Store.InsertAsync(second);
        await database.Store.InsertAsync(Entry("b_error", at));

        var rows = await database.Store.ListAsync("a_error");

        Assert.Equal([second.Id, first.Id], rows.Select(r => r.Id));
        var read = rows[1];
        Assert.Equal(first with { FilterJson = read.FilterJson }, read);
        Assert.Contains("System.TimeoutException", read.FilterJson);
        Assert.Equal(second, rows[0] with { FilterJson = second.FilterJson });
        Assert.True((await database.Store.ListAsync()).Count >= 3);
    }

    [Fact]
    public async Task Rejects_an_unknown_action_and_a_bad_limit()
    {
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => database.Store.InsertAsync(Entry("c_error", DateTimeOffset.UtcNow, "delete-everything")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => database.Store.ListAsync(limit: 0));
        Assert.Empty(await database.Store.ListAsync("c_error"));
    }
}
