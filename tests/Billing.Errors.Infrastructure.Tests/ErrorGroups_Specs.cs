using Billing.Errors;
using Billing.Testing;
using Dapper;

namespace Billing.Errors.Infrastructure.Tests;

/// <summary>Seeds the invoices an error group can be about, so automatic resolution reads real rows.</summary>
internal static class Seed
{
    public static async Task<(Guid Run, List<(Guid Invoice, Guid Account)> Invoices)> InvoicesAsync(TestDatabase db, int count, string period = "2026-10")
    {
        var run = Guid.NewGuid();
        var plan = Guid.NewGuid();
        var invoices = new List<(Guid, Guid)>();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("insert into plans (id, code, name, currency, base_fee_minor) values (@plan, @code, 'Business', 'EUR', 4900)",
            new { plan, code = $"business-{plan:N}" }, tx);
        await conn.ExecuteAsync("insert into invoice_runs (id, period, status) values (@run, @period, 'completed')", new { run, period }, tx);
        for (var i = 0; i < count; i++)
        {
            var (invoice, account) = (Guid.NewGuid(), Guid.NewGuid());
            await conn.ExecuteAsync("""
                insert into accounts (id, name, billing_email, currency, plan_id) values (@account, 'Acme', 'ap@example.org', 'EUR', @plan);
                insert into invoices (id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, due_at)
                values (@invoice, @run, @account, @period, 'default', @number, 'EUR', 1000, 0, 0, 1000, now() + interval '14 days');
                """, new { account, plan, invoice, run, period, number = $"T-{invoice:N}" }, tx);
            invoices.Add((invoice, account));
        }
        await tx.CommitAsync();
        return (run, invoices);
    }

    public static Task RenderedAsync(TestDatabase db, IEnumerable<Guid> invoices) => RenderedAsync(db.DataSource, invoices);

    public static async Task RenderedAsync(Npgsql.NpgsqlDataSource db, IEnumerable<Guid> invoices)
    {
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("update invoices set pdf_key = id::text || '.pdf', pdf_sha256 = 'x', pdf_size = 1, pdf_rendered_at = now() where id = any(@ids)",
            new { ids = invoices.ToArray() });
    }
}

public sealed class When_one_cause_fails_many_messages : IAsyncLifetime
{
    // Whole seconds: PostgreSQL keeps microseconds, so a time with ticks would not read back equal.
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds());
    private TestDatabase db = null!;
    private PostgresErrorStore store = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("errgroups");
        store = new PostgresErrorStore(db.DataSource);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private static ErrorReport Disposed(Guid invoice, Guid account, Guid run, string service = "mailer", string messageType = "InvoicePdfRendered") =>
        new(service, "ObjectDisposedException", "invoice-pdf-rendered",
            $"Cannot access a disposed object. Object name: 'IServiceProvider'. (invoice {invoice}, attempt 1)",
            InvoiceId: invoice, AccountId: account, RunId: run, MessageType: messageType);

    private Task<RecordedError> Record(ErrorReport r, DateTimeOffset at) => store.RecordAsync(r, Fingerprint.For(r), at);

    [Fact]
    public async Task Does_keep_one_group_with_its_count_first_and_last_seen_and_every_invoice_account_and_run_it_hit()
    {
        var run = Guid.NewGuid();
        var hits = Enumerable.Range(0, 219).Select(_ => (Invoice: Guid.NewGuid(), Account: Guid.NewGuid())).ToList();
        var results = new List<RecordedError>();
        for (var i = 0; i < hits.Count; i++) results.Add(await Record(Disposed(hits[i].Invoice, hits[i].Account, run), T0.AddSeconds(i)));
        // The same invoice failing again counts once more for it, not a new subject.
        var again = await Record(Disposed(hits[0].Invoice, hits[0].Account, run), T0.AddMinutes(10));

        Assert.Single(results, r => r.IsNew);
        Assert.False(again.IsNew);
        var group = await store.GetAsync(again.Record.Id);
        Assert.Equal(220, group!.OccurrenceCount);
        Assert.Equal(T0, group.CreatedAt);
        Assert.Equal(T0.AddMinutes(10), group.LastSeenAt);
        Assert.Equal("InvoicePdfRendered", group.MessageType);
        Assert.Equal("email", group.Stage);
        var counts = (await store.AffectedCountsAsync([group.Id]))[group.Id];
        Assert.Equal(new AffectedCounts(219, 219, 1, 0), counts);
        var (total, page) = await store.AffectedAsync(group.Id, "invoice", 100, 0);
        Assert.Equal(219, total);
        Assert.Equal(hits.Take(100).Select(h => h.Invoice.ToString()), page.Select(p => p.Subject));
        Assert.Equal(2, page[0].Occurrences);
        Assert.Equal(T0.AddMinutes(10), page[0].LastSeenAt);
        var (_, last) = await store.AffectedAsync(group.Id, "invoice", 100, 200);
        Assert.Equal(19, last.Count);
        var (runs, runList) = await store.AffectedAsync(group.Id, "run", 10, 0);
        Assert.Equal(1, runs);
        Assert.Equal(220, runList[0].Occurrences);
        // Found by the run whichever occurrence named it.
        Assert.Equal([group.Id], (await store.ListAsync(new ErrorQuery(RunId: run))).Select(r => r.Id));

        // Another service, message type or cause is another group.
        var other = await Record(Disposed(Guid.NewGuid(), Guid.NewGuid(), run, service: "accounting-sync", messageType: "InvoiceFinalized"), T0);
        Assert.True(other.IsNew);
        Assert.NotEqual(group.Id, other.Record.Id);
        Assert.Equal(2, await store.CountAsync(new ErrorQuery(RunId: run)));
    }

    [Fact]
    public async Task Does_page_the_list_and_count_everything_the_filter_matches()
    {
        for (var i = 0; i < 7; i++)
            await Record(new ErrorReport("paging-svc", $"Cause{i}Exception", "q", "boom", MessageType: "GenerateInvoice"), T0.AddSeconds(i));
        var filter = new ErrorQuery(Service: "paging-svc", Limit: 3);

        var first = await store.ListAsync(filter);
        var third = await store.ListAsync(filter with { Offset = 6 });

        Assert.Equal(7, await store.CountAsync(filter));
        Assert.Equal(["Cause6Exception", "Cause5Exception", "Cause4Exception"], first.Select(r => r.ErrorType));
        Assert.Equal(["Cause0Exception"], third.Select(r => r.ErrorType));
    }

    [Fact]
    public async Task Does_resolve_every_group_of_a_filter_at_once_with_the_note()
    {
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
            ids.Add((await Record(new ErrorReport("bulk-mailer", $"Smtp{i}Exception", "q", "relay down", MessageType: "InvoicePdfRendered"), T0)).Record.Id);
        var elsewhere = (await Record(new ErrorReport("bulk-other", "Smtp0Exception", "q", "relay down", MessageType: "InvoicePdfRendered"), T0)).Record.Id;
        await store.UpdateAsync(ids[2], new ErrorUpdate(Notes: "first look"), T0);

        var result = await store.BulkUpdateAsync(new ErrorQuery(Service: "bulk-mailer", Status: ErrorStatus.Open),
            new ErrorBulkChange("resolved", "relay fixed, redriven"), T0.AddHours(1));

        Assert.True(result.Applied);
        Assert.Equal(3, result.Matched);
        Assert.Equal(ids, result.Changed.Order());
        foreach (var id in ids)
        {
            var row = await store.GetAsync(id);
            Assert.Equal(ErrorStatus.Resolved, row!.Status);
            Assert.Equal(T0.AddHours(1), row.ResolvedAt);
        }
        Assert.Equal("first look\nrelay fixed, redriven", (await store.GetAsync(ids[2]))!.Notes);
        Assert.Equal("relay fixed, redriven", (await store.GetAsync(ids[0]))!.Notes);
        Assert.Equal(ErrorStatus.Open, (await store.GetAsync(elsewhere))!.Status);

        // Again: nothing open is left to match; by ids the resolved ones are reported unchanged.
        Assert.Equal(0, (await store.BulkUpdateAsync(new ErrorQuery(Service: "bulk-mailer", Status: ErrorStatus.Open), new ErrorBulkChange("resolved"), T0)).Matched);
        var byIds = await store.BulkUpdateAsync(new ErrorQuery(Ids: ids), new ErrorBulkChange("resolved"), T0);
        Assert.Equal(ids, byIds.Unchanged.Order());
        Assert.Empty(byIds.Changed);
    }

    [Fact]
    public async Task Does_refuse_the_whole_change_when_one_group_may_not_take_it_and_write_nothing()
    {
        var open = (await Record(new ErrorReport("refuse-svc", "AException", "q", "x", MessageType: "GenerateInvoice"), T0)).Record;
        var acked = (await Record(new ErrorReport("refuse-svc", "BException", "q", "x", MessageType: "GenerateInvoice"), T0)).Record;
        await store.UpdateAsync(acked.Id, new ErrorUpdate("needs_attention"), T0);
        var before = await store.ListAsync(new ErrorQuery(Service: "refuse-svc"));

        var refused = await store.BulkUpdateAsync(new ErrorQuery(Service: "refuse-svc"), new ErrorBulkChange("resolved", "done"), T0.AddHours(1));
        var empty = await store.BulkUpdateAsync(new ErrorQuery(), new ErrorBulkChange("resolved"), T0);
        var noChange = await store.BulkUpdateAsync(new ErrorQuery(Service: "refuse-svc"), new ErrorBulkChange(), T0);
        var unknown = await store.BulkUpdateAsync(new ErrorQuery(Service: "refuse-svc"), new ErrorBulkChange("closed"), T0);
        var badLink = await store.BulkUpdateAsync(new ErrorQuery(Service: "refuse-svc"), new ErrorBulkChange(IssueLink: "BILL-1"), T0);
        var missing = await store.BulkUpdateAsync(new ErrorQuery(Ids: [open.Id, long.MaxValue]), new ErrorBulkChange("resolved"), T0);
        var blank = await store.BulkUpdateAsync(new ErrorQuery(Service: "refuse-svc"), new ErrorBulkChange(Note: "  "), T0);

        Assert.False(refused.Applied);
        Assert.Equal($"1 error ({acked.Id}) is needs_attention: cannot move from needs_attention to resolved; allowed: in_progress",
            refused.Problems["status:needs_attention"]);
        Assert.Contains("give ids or at least one of", empty.Problems["filter"]);
        Assert.Contains("give at least one of status, note, issue_link", noChange.Problems["change"]);
        Assert.StartsWith("unknown status 'closed'", unknown.Problems["status"]);
        Assert.Contains("issue_link must be an absolute http or https URL", badLink.Problems["issue_link"]);
        Assert.Equal($"no error {long.MaxValue} (or it does not match the other criteria)", missing.Problems["ids"]);
        Assert.Equal("note must not be blank", blank.Problems["note"]);
        Assert.Equal(before, await store.ListAsync(new ErrorQuery(Service: "refuse-svc")));
    }

    [Fact]
    public async Task Does_resolve_a_group_by_itself_once_every_invoice_it_lists_went_through_the_failed_stage()
    {
        var (run, invoices) = await Seed.InvoicesAsync(db, 5);
        RecordedError? group = null;
        foreach (var (invoice, account) in invoices)
            group = await Record(new ErrorReport("pdf-renderer", "InvalidOperationException", "render-invoice-pdf",
                $"PDF template 'invoice-v2' not found while rendering {invoice}", InvoiceId: invoice, AccountId: account, RunId: run,
                MessageType: "RenderInvoicePdf"), T0);
        var id = group!.Record.Id;
        await store.UpdateAsync(id, new ErrorUpdate("needs_attention", "looking"), T0);

        // Four of five rendered: still open.
        await Seed.RenderedAsync(db, invoices.Take(4).Select(i => i.Invoice));
        Assert.Empty(await store.AutoResolveAsync(T0.AddHours(1)));
        Assert.Equal(ErrorStatus.NeedsAttention, (await store.GetAsync(id))!.Status);

        await Seed.RenderedAsync(db, invoices.Skip(4).Select(i => i.Invoice));
        var resolved = Assert.Single(await store.AutoResolveAsync(T0.AddHours(2)), r => r.Id == id);

        var row = await store.GetAsync(id);
        Assert.Equal(ErrorStatus.Resolved, row!.Status);
        Assert.Equal(T0.AddHours(2), row.ResolvedAt);
        Assert.StartsWith("looking\nresolved automatically at ", row.Notes);
        Assert.Contains("all 5 invoices it lists have their PDF now, after a retry or a later delivery (no redrive of its queue since it was first seen); 5 occurrences", resolved.Note);
        Assert.EndsWith(resolved.Note, row.Notes);
        Assert.Empty(await store.AutoResolveAsync(T0.AddHours(3)));

        // The cause comes back: reopened, and news again.
        var back = await Record(new ErrorReport("pdf-renderer", "InvalidOperationException", "render-invoice-pdf",
            $"PDF template 'invoice-v2' not found while rendering {Guid.NewGuid()}", InvoiceId: Guid.NewGuid(), MessageType: "RenderInvoicePdf"), T0.AddHours(4));
        Assert.True(back.IsNew);
        Assert.Equal(id, back.Record.Id);
        Assert.Equal(ErrorStatus.Open, back.Record.Status);
    }

    [Fact]
    public async Task Waits_for_a_running_redrive_of_its_queue_and_then_names_it()
    {
        var (run, invoices) = await Seed.InvoicesAsync(db, 2);
        RecordedError? group = null;
        foreach (var (invoice, account) in invoices)
            group = await Record(new ErrorReport("pdf-renderer", "TemplateMissingException", Billing.Vocabulary.ConsumerEndpoints.RenderFinalizedInvoice,
                $"PDF template 'invoice-v3' not found while rendering {invoice}", InvoiceId: invoice, AccountId: account, RunId: run,
                MessageType: "InvoiceFinalized"), T0);
        var id = group!.Record.Id;
        var job = Guid.NewGuid();
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                insert into redrive_jobs (id, queue, requested_by, state, claimed_by, started_at, total, moved)
                values (@job, 'render-finalized-invoice_error', 'ops', 'running', 'redrive-1', now(), 2, 2)
                """, new { job });

        // The redrive has moved both messages and both invoices have their PDF, but it has not recorded its end yet.
        await Seed.RenderedAsync(db, invoices.Select(i => i.Invoice));
        Assert.DoesNotContain(await store.AutoResolveAsync(T0.AddHours(1)), r => r.Id == id);
        Assert.Equal(ErrorStatus.Open, (await store.GetAsync(id))!.Status);

        await using (var conn = await db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("update redrive_jobs set state = 'completed', completed_at = now() where id = @job", new { job });
        var resolved = Assert.Single(await store.AutoResolveAsync(T0.AddHours(2)), r => r.Id == id);

        Assert.Contains($"all 2 invoices it lists have their PDF now, after redrive job {job:D} (2 messages from render-finalized-invoice_error, done ", resolved.Note);
        Assert.Equal(ErrorStatus.Resolved, (await store.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task Does_not_resolve_by_itself_a_group_whose_stage_cannot_be_checked()
    {
        var (_, invoices) = await Seed.InvoicesAsync(db, 1);
        await Seed.RenderedAsync(db, invoices.Select(i => i.Invoice));
        var webhook = await Record(new ErrorReport("admin-api", "webhook_rejected", "event_rejected", "unknown event type",
            InvoiceId: invoices[0].Invoice), T0);
        var creditNote = await Record(new ErrorReport("pdf-renderer", "InvalidOperationException", "render-credit-note", "template missing",
            InvoiceId: invoices[0].Invoice, MessageType: "CreditNoteIssued"), T0);

        var resolved = await store.AutoResolveAsync(T0.AddHours(1));

        Assert.DoesNotContain(resolved, r => r.Id == webhook.Record.Id || r.Id == creditNote.Record.Id);
        Assert.Null(webhook.Record.Stage);
        Assert.Null(creditNote.Record.Stage);
    }
}
