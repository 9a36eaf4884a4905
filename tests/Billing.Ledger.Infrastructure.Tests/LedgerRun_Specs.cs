using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.Contracts;
using Billing.Ledger;
using Billing.Stripe;
using Billing.Testing;
using Billing.Testing.FakeStripe;
using Npgsql;
using Xunit.Abstractions;

namespace Billing.Ledger.Infrastructure.Tests;

/// <summary>
/// 1,000 invoices through the real admin-api and accounting-sync processes: InvoiceFinalized from the bus, payments,
/// refunds and disputes as signed webhooks over HTTP. Every expectation is computed here from what the test sent.
/// </summary>
public sealed class When_a_month_of_invoices_is_paid_refunded_and_replayed(ITestOutputHelper output) : IAsyncLifetime
{
    static readonly TimeSpan Long = TimeSpan.FromMinutes(6);
    static readonly DateTimeOffset IssuedAt = new(2026, 10, 15, 12, 0, 0, TimeSpan.Zero);
    AccountingHost host = null!;
    List<SeededInvoice> invoices = null!;
    readonly List<FakeWebhook> sent = [];

    public async Task InitializeAsync()
    {
        host = await AccountingHost.StartAsync("ledgerrun", withSync: true, stripeApi: true);
        invoices = await InvoiceSeeder.SeedAsync(host.Data, 250, 4, ["USD", "JPY"], 2026, IssuedAt);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    // Group of an invoice by its position: what happens to it in this month.
    static int Group(int i) => i % 10;

    [Fact]
    public async Task Does_balance_per_currency_match_receivables_survive_replay_and_reconcile_exactly()
    {
        var stripeIds = await PushSomeToStripeAsync();
        var http = host.ApiClient(authenticated: false);

        // 1. Every invoice finalized → one entry each.
        await PublishFinalizedAsync();
        await Eventually.UntilValue(() => host.Captured.Of<InvoiceSynced>().Select(s => s.InvoiceId).Distinct().Count(), n => n == invoices.Count, Long);
        Assert.Equal(invoices.Count, await host.ScalarAsync("select count(*) from journal_entries where source_type = 'invoice'"));

        // 2. Payments, failures, uncollectibles.
        var paid = new Dictionary<Guid, long>();
        var phase2 = new List<FakeWebhook>();
        for (var i = 0; i < invoices.Count; i++)
        {
            var inv = invoices[i];
            switch (Group(i))
            {
                case <= 5:
                    phase2.Add(host.Stripe.CreateWebhook("invoice.paid", InvoiceObject(inv, "paid", inv.TotalMinor)));
                    paid[inv.Id] = inv.TotalMinor;
                    break;
                case 7:
                    phase2.Add(host.Stripe.CreateWebhook("invoice.payment_failed", InvoiceObject(inv, "open", 0)));
                    break;
                case 8:
                    phase2.Add(host.Stripe.CreateWebhook("invoice.marked_uncollectible", InvoiceObject(inv, "uncollectible", 0)));
                    break;
            }
        }
        var outcomes = await PostAllAsync(http, phase2);
        sent.AddRange(phase2);
        Assert.All(outcomes, o => Assert.Equal("posted", o));
        await Eventually.UntilValue(() => host.Captured.Count<LedgerEntryPosted>(), n => n >= 600, Long);
        await Eventually.UntilValue(() => host.Captured.Of<ErrorReported>().Count(e => e.Code == "payment_failed"), n => n == 100, Long);
        await Eventually.Until(() => host.ScalarAsync("select count(*) from invoices where status = 'uncollectible'"), n => n == 100, Long);

        // 3. Refunds (to cash when paid, off the receivable when not), disputes, and refunds that must be refused.
        var credited = new Dictionary<Guid, long>();
        var phase3 = new List<FakeWebhook>();
        var expectedRejectedAtWebhook = 0;
        for (var i = 0; i < invoices.Count; i++)
        {
            var inv = invoices[i];
            if (Group(i) == 0)
                phase3.Add(Refund(inv, $"re_{i}", inv.TotalMinor, inv.TotalMinor / 3));
            else if (Group(i) == 6)
            {
                phase3.Add(Refund(inv, $"re_{i}", inv.TotalMinor, inv.TotalMinor / 2));
                credited[inv.Id] = inv.TotalMinor / 2;
            }
            else if (i % 50 == 1)
                phase3.Add(Dispute(inv, $"dp_{i}", "charge.dispute.closed", "lost", inv.TotalMinor / 4));
            else if (i % 50 == 11)
                phase3.Add(Dispute(inv, $"dp_{i}", "charge.dispute.created", "needs_response", inv.TotalMinor));
            else if (i % 100 == 2)
            {
                phase3.Add(Refund(inv, $"re_{i}", inv.TotalMinor, inv.TotalMinor + 1)); // more than the charge
                expectedRejectedAtWebhook++;
            }
            else if (i % 100 == 3)
                phase3.Add(Refund(inv, $"re_{i}", inv.TotalMinor + 1, inv.TotalMinor + 1)); // more than was invoiced
        }
        outcomes = await PostAllAsync(http, phase3);
        sent.AddRange(phase3);
        Assert.Equal(expectedRejectedAtWebhook, outcomes.Count(o => o == "rejected"));
        await Eventually.UntilValue(() => host.Captured.Count<LedgerEntryPosted>(), n => n >= 820, Long);
        await Eventually.UntilValue(() => host.Captured.Of<ErrorReported>().Count(e => e.Code == "refund_rejected"), n => n == 10, Long);
        await Eventually.UntilValue(() => host.Captured.Of<ErrorReported>().Count(e => e.Code == "dispute_needs_response"), n => n == 20, Long);

        // The books: zero trial balance per currency, receivable per account as computed here.
        await AssertBooksAsync(paid, credited);
        Assert.Equal(600, await host.ScalarAsync("select count(*) from invoices where status = 'paid'"));
        Assert.Equal(300, await host.ScalarAsync("select count(*) from invoices where status = 'open'"));
        Assert.Equal(10, await host.ScalarAsync("select count(*) from stripe_events where outcome = 'rejected'"));
        Assert.Equal(1820, ConnectorKeys().Count);
        var snapshot = await SnapshotAsync();

        // 4. Replay everything: webhooks (re-signed, as Stripe does on retry), internal events, InvoiceFinalized.
        var replayed = await PostAllAsync(http, sent.Select(w => w with
        {
            SignatureHeader = StripeWebhookSignature.Sign(w.Payload, host.Stripe.WebhookSecret, DateTimeOffset.UtcNow),
        }).ToList());
        Assert.All(replayed, o => Assert.Equal("duplicate", o));
        foreach (var m in host.Captured.Of<PaymentSucceeded>()) await host.Bus.Publish(m);
        foreach (var m in host.Captured.Of<RefundCreated>()) await host.Bus.Publish(m);
        foreach (var m in host.Captured.Of<DisputeUpdated>()) await host.Bus.Publish(m);
        await PublishFinalizedAsync();
        await Eventually.UntilValue(() => host.Captured.Count<InvoiceSynced>(), n => n >= 2 * invoices.Count, Long);
        await Eventually.UntilValue(() => host.Captured.Count<LedgerEntryPosted>(), n => n >= 2 * 820, Long);
        await Eventually.UntilValue(() => host.Captured.Of<ErrorReported>().Count(e => e.Code == "refund_rejected"), n => n == 20, Long);
        Assert.Equal(snapshot, await SnapshotAsync());
        Assert.Equal(1820, ConnectorKeys().Count);
        await AssertBooksAsync(paid, credited);

        // 5. Reconciliation: clean, then exactly the drifts planted.
        using var api = host.ApiClient();
        var clean = await GetJsonAsync(api, "/admin/reconcile");
        Assert.Equal("clean", clean.GetProperty("status").GetString());
        Assert.Equal(250, clean.GetProperty("accounts_checked").GetInt32());
        Assert.Equal(0, clean.GetProperty("drift_count").GetInt32());
        Assert.True(clean.GetProperty("stripe_checked").GetBoolean());
        Assert.Equal(0, (await host.Cli.RunAsync("reconcile")).ExitCode);

        var untouched = Enumerable.Range(0, invoices.Count).Where(i => Group(i) == 9).Select(i => invoices[i]).Where(i => !stripeIds.ContainsKey(i.Id)).ToList();
        var deleted = untouched[0];
        var changed = untouched[1];
        var (stripeInvoice, stripeId) = stripeIds.First();
        await ExecAsync("delete from journal_entries where invoice_id = @id and source_type = 'invoice'", deleted.Id);
        await ExecAsync("""
            alter table journal_lines disable trigger journal_lines_no_update;
            update journal_lines set debit_minor = debit_minor + 100
             where ledger_account = 'accounts_receivable' and entry_id = (select id from journal_entries where invoice_id = @id and source_type = 'invoice');
            alter table journal_lines enable trigger journal_lines_no_update;
            """, changed.Id);
        host.Stripe.SetInvoiceTotal(stripeId, invoices.Single(i => i.Id == stripeInvoice).TotalMinor + 7);

        var expected = new HashSet<(string, Guid)>
        {
            (DriftKinds.MissingInLedger, deleted.Id), (DriftKinds.LedgerAmountMismatch, changed.Id), (DriftKinds.StripeAmountMismatch, stripeInvoice),
        };
        var detail = await GetJsonAsync(api, "/admin/reconcile?detail=true");
        Assert.Equal("drift", detail.GetProperty("status").GetString());
        Assert.Equal(3, detail.GetProperty("drift_count").GetInt32());
        Assert.Equal(expected, detail.GetProperty("drifts").EnumerateArray()
            .Select(d => (d.GetProperty("kind").GetString()!, d.GetProperty("invoice_id").GetGuid())).ToHashSet());
        var cli = await host.Cli.RunAsync("reconcile", "--detail");
        output.WriteLine(cli.Output);
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains(DriftKinds.StripeAmountMismatch, cli.Output);

        // The daily job stores the run and its drifts and reports each drift as an error.
        await using var daily = host.StartSync(new Dictionary<string, string?> { ["Reconcile__RunOnStart"] = "true", ["Reconcile__DailyAtUtc"] = "06:00" });
        await daily.WaitHealthyAsync();
        await Eventually.Until(() => host.ScalarAsync("select count(*) from reconciliation_runs where status = 'drift' and drift_count = 3"), n => n == 1, Long);
        Assert.Equal(3, await host.ScalarAsync("select count(*) from reconciliation_drifts"));
        var reported = await Eventually.UntilValue(
            () => host.Captured.Of<ErrorReported>().Where(e => e.ErrorType == "reconciliation_drift").ToList(), l => l.Count >= 3, Long);
        Assert.Equal(expected, reported.Select(e => (e.Code, Guid.Parse(e.BusinessKey!))).ToHashSet());
        Assert.Contains("daily reconciliation at 06:00 UTC", daily.Output);
    }

    async Task<Dictionary<Guid, string>> PushSomeToStripeAsync()
    {
        using var stripe = new StripeClient(host.Stripe.ClientOptions());
        var pushed = new Dictionary<Guid, string>();
        foreach (var (inv, i) in invoices.Select((inv, i) => (inv, i)).Where(x => Group(x.i) == 9).Take(10))
        {
            var meta = new Dictionary<string, string> { ["billing_invoice_id"] = inv.Id.ToString() };
            var customer = await stripe.CreateCustomerAsync($"Account {inv.AccountId}", null, null, StripeIdempotencyKeys.Customer(inv.Id));
            var draft = await stripe.CreateInvoiceAsync(customer.Id, inv.Currency, meta, StripeIdempotencyKeys.Invoice(inv.Id), new DateOnly(2030, 1, 31));
            await stripe.CreateInvoiceItemAsync(customer.Id, draft.Id, inv.TotalMinor, inv.Currency, inv.Number, null, StripeIdempotencyKeys.Item(inv.Id, 1));
            var open = await stripe.FinalizeInvoiceAsync(draft.Id, StripeIdempotencyKeys.Finalize(inv.Id));
            Assert.Equal("open", open.Status);
            await ExecAsync($"update invoices set stripe_invoice_id = '{open.Id}' where id = @id", inv.Id);
            pushed[inv.Id] = open.Id;
        }
        return pushed;
    }

    async Task PublishFinalizedAsync()
    {
        foreach (var chunk in invoices.Chunk(100))
            await Task.WhenAll(chunk.Select(i => host.Bus.Publish(
                new InvoiceFinalized(i.Id, i.RunId, i.AccountId, i.Period, i.Number, i.TotalMinor, i.Currency))));
    }

    static JsonObject InvoiceObject(SeededInvoice inv, string status, long amountPaid) => new()
    {
        ["id"] = "in_" + inv.Id.ToString("N")[..16],
        ["object"] = "invoice",
        ["status"] = status,
        ["currency"] = inv.Currency.ToLowerInvariant(),
        ["total"] = inv.TotalMinor,
        ["amount_paid"] = amountPaid,
        ["metadata"] = new JsonObject { ["billing_invoice_id"] = inv.Id.ToString() },
    };

    FakeWebhook Refund(SeededInvoice inv, string refundId, long chargeAmount, long refundAmount) =>
        host.Stripe.CreateWebhook("charge.refunded", new JsonObject
        {
            ["id"] = "ch_" + inv.Id.ToString("N")[..16],
            ["object"] = "charge",
            ["amount"] = chargeAmount,
            ["amount_refunded"] = refundAmount,
            ["currency"] = inv.Currency.ToLowerInvariant(),
            ["metadata"] = new JsonObject { ["billing_invoice_id"] = inv.Id.ToString() },
            ["refunds"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject { ["id"] = refundId, ["object"] = "refund", ["amount"] = refundAmount, ["status"] = "succeeded" }),
            },
        });

    FakeWebhook Dispute(SeededInvoice inv, string disputeId, string type, string status, long amount) =>
        host.Stripe.CreateWebhook(type, new JsonObject
        {
            ["id"] = disputeId,
            ["object"] = "dispute",
            ["amount"] = amount,
            ["currency"] = inv.Currency.ToLowerInvariant(),
            ["status"] = status,
            ["charge"] = "ch_" + inv.Id.ToString("N")[..16],
            ["metadata"] = new JsonObject { ["billing_invoice_id"] = inv.Id.ToString() },
        });

    async Task<List<string>> PostAllAsync(HttpClient http, List<FakeWebhook> webhooks)
    {
        var outcomes = new string[webhooks.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, webhooks.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using var response = await host.PostWebhookAsync(http, webhooks[i].Payload, webhooks[i].SignatureHeader);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            outcomes[i] = JsonDocument.Parse(body).RootElement.GetProperty("outcome").GetString()!;
        });
        return [.. outcomes];
    }

    async Task AssertBooksAsync(Dictionary<Guid, long> paid, Dictionary<Guid, long> credited)
    {
        var ledger = new LedgerStore(host.Data);
        var trial = await ledger.TrialBalanceAsync(default);
        Assert.Equal(["JPY", "USD"], trial.Select(c => c.Currency).Order().ToArray());
        foreach (var currency in trial)
            Assert.True(currency.Balanced, $"{currency.Currency}: debits {currency.DebitMinor} ≠ credits {currency.CreditMinor}");

        var expected = invoices.GroupBy(i => (i.AccountId, i.Currency)).ToDictionary(g => g.Key,
            g => g.Sum(i => i.TotalMinor - paid.GetValueOrDefault(i.Id) - credited.GetValueOrDefault(i.Id)));
        var actual = await ledger.ReceivableByAccountAsync(default);
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, amount) in expected)
            Assert.True(actual.TryGetValue(key, out var got) && got == amount, $"account {key}: expected receivable {amount}, ledger {got}");

        // The month-end summaries through the API and the CLI agree: each month balances in each currency.
        using var api = host.ApiClient();
        foreach (var period in new[] { "2026-10", DateTimeOffset.UtcNow.ToString("yyyy-MM") })
        {
            var summary = await GetJsonAsync(api, $"/api/ledger/export?period={period}&format=summary");
            Assert.True(summary.GetProperty("trial_balance_ok").GetBoolean(), period);
        }
        var october = await GetJsonAsync(api, "/api/ledger/export?period=2026-10&format=summary");
        Assert.Equal(invoices.Count, october.GetProperty("entry_count").GetInt32());
        foreach (var currency in october.GetProperty("currencies").EnumerateArray())
        {
            var code = currency.GetProperty("currency").GetString();
            var receivable = currency.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("ledger_account").GetString() == "accounts_receivable");
            Assert.Equal(invoices.Where(i => i.Currency == code).Sum(i => i.TotalMinor), receivable.GetProperty("debit_minor").GetInt64());
        }
        var file = Path.Combine(host.ConnectorDirectory, "..", $"october-{Guid.NewGuid():N}.csv");
        var cli = await host.Cli.RunAsync("ledger", "export", "--period", "2026-10", "--format", "csv", "--output", file);
        Assert.Equal(0, cli.ExitCode);
        var rows = File.ReadAllLines(file);
        File.Delete(file);
        Assert.Equal("entry_id,source_type,source_id,invoice_id,account_id,currency,posted_at,trace_id,line_no,ledger_account,debit_minor,credit_minor,debit,credit,description", rows[0]);
        Assert.Equal(await host.ScalarAsync("select count(*) from journal_lines l join journal_entries e on e.id = l.entry_id where e.source_type = 'invoice'"), rows.Length - 1);
        var summaryCli = await host.Cli.RunAsync("ledger", "export", "--period", "2026-10", "--format", "summary");
        Assert.Equal(0, summaryCli.ExitCode);
        Assert.Contains("balanced", summaryCli.Output);
    }

    HashSet<string> ConnectorKeys()
    {
        var path = Path.Combine(host.ConnectorDirectory, FileJournalConnector.FileName);
        var lines = File.ReadAllLines(path);
        var keys = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("source_key").GetString()!).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        return [.. keys];
    }

    async Task<string> SnapshotAsync()
    {
        await using var conn = await host.Data.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            select (select count(*) from journal_entries)::text || '/' ||
                   (select md5(string_agg(e.id::text || e.source_type || e.source_id || l.line_no || l.ledger_account || l.debit_minor || ':' || l.credit_minor, ',' order by e.id, l.line_no))
                      from journal_entries e join journal_lines l on l.entry_id = e.id) || '/' ||
                   (select md5(string_agg(id::text || status || coalesce(journal_entry_id::text, '-'), ',' order by id)) from invoices) || '/' ||
                   (select count(*) from stripe_events)::text
            """, conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    async Task ExecAsync(string sql, Guid id)
    {
        await using var conn = await host.Data.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("id", id);
        await cmd.ExecuteNonQueryAsync();
    }

    static async Task<JsonElement> GetJsonAsync(HttpClient api, string path)
    {
        using var response = await api.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
