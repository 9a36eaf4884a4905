using System.Net;
using System.Security.Cryptography;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Collections.Concurrent;
using Billing.Contracts;
using Billing.EndToEnd.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Billing.Testing.FakeStripe;
using Dapper;

namespace Billing.EndToEnd.Tests;

/// <summary>The whole system with Stripe on (the fake server): a run of a few accounts, then credit notes and voids.</summary>
public sealed class CreditNoteFixture : IAsyncLifetime
{
    public const int Accounts = 9;
    public Pipeline Pipeline { get; private set; } = null!;
    public FakeStripeServer Stripe { get; private set; } = null!;
    public List<Invoice> Invoices { get; private set; } = null!;

    public sealed record Invoice(Guid Id, Guid AccountId, string Number, string Currency, long SubtotalMinor, decimal TaxRate, long TaxMinor,
        long TotalMinor, string? StripeInvoiceId);

    public async Task InitializeAsync()
    {
        Stripe = await FakeStripeServer.StartNewAsync();
        Pipeline = await Pipeline.CreateAsync("e2ecredit");
        Pipeline.Environment["Stripe__ApiKey"] = Stripe.ApiKey;
        Pipeline.Environment["Stripe__BaseUrl"] = Stripe.BaseUrl;
        Pipeline.Environment["Stripe__RequestsPerSecond"] = "200";
        Pipeline.Environment["Stripe__WebhookSecrets"] = Stripe.WebhookSecret;
        Pipeline.StartSmtp();
        await Seed.RunAsync(Pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await Pipeline.StartAllAsync();
        using var http = Pipeline.Api();
        var started = await http.PostAsJsonAsync("/api/runs", new { period = Pipeline.Period });
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var runId = await Pipeline.RunIdAsync();
        await Pipeline.WaitCompletedAsync(runId);
        await using var conn = await Pipeline.Db.DataSource.OpenConnectionAsync();
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*)::int from invoices where stripe_invoice_id is null"), n => n == 0,
            TimeSpan.FromMinutes(3));
        Invoices = (await conn.QueryAsync<Invoice>("""
            select id, account_id, number, trim(currency) as currency, subtotal_minor, tax_rate, tax_minor, total_minor, stripe_invoice_id
            from invoices order by number
            """)).ToList();
        Assert.Equal(Accounts, Invoices.Count);
    }

    public async Task DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}

public sealed partial class When_invoices_are_credited_and_voided(CreditNoteFixture fixture) : IClassFixture<CreditNoteFixture>
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);
    private Pipeline Pipeline => fixture.Pipeline;

    private CreditNoteFixture.Invoice InvoiceIn(string currency, int nth) => fixture.Invoices.Where(i => i.Currency == currency).ElementAt(nth);

    [Fact]
    public async Task Gives_eight_concurrent_credit_notes_gapless_unique_numbers_and_exact_tax()
    {
        var invoice = InvoiceIn("EUR", 0);
        using var http = Pipeline.Api();
        var amounts = Enumerable.Range(1, 8).Select(i => invoice.TotalMinor / 20 + i).ToArray();
        var responses = await Task.WhenAll(amounts.Select(a =>
            http.PostAsJsonAsync($"/api/invoices/{invoice.Id}/credit-notes", new { reason = "overcharge", amount_minor = a })));
        foreach (var r in responses) Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        var notes = new List<JsonElement>();
        foreach (var r in responses) notes.Add(JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone());
        Assert.Equal(8, notes.Select(n => n.GetProperty("number").GetString()).Distinct().Count());
        await AssertNumbersGaplessAsync();

        // Replay the rule in number order (numbers are taken under the invoice's lock, so that is the order applied).
        long creditedNet = 0, creditedTax = 0;
        foreach (var note in notes.OrderBy(n => n.GetProperty("number").GetString(), StringComparer.Ordinal))
        {
            var amount = note.GetProperty("total_minor").GetInt64();
            var share = RoundHalfAway((decimal)amount * invoice.TaxMinor / invoice.TotalMinor);
            var expectedTax = Math.Clamp(share, Math.Max(0, amount - (invoice.SubtotalMinor - creditedNet)), invoice.TaxMinor - creditedTax);
            Assert.Equal(expectedTax, note.GetProperty("tax_minor").GetInt64());
            Assert.Equal(amount - expectedTax, note.GetProperty("subtotal_minor").GetInt64());
            creditedNet += amount - expectedTax;
            creditedTax += expectedTax;
        }
        var shown = await Pipeline.GetJsonAsync($"/api/invoices/{invoice.Id}");
        var credits = shown.GetProperty("credits");
        Assert.Equal(amounts.Sum(), credits.GetProperty("credited_total_minor").GetInt64());
        Assert.Equal(invoice.TotalMinor - amounts.Sum(), credits.GetProperty("remaining_minor").GetInt64());
        Assert.Equal(8, credits.GetProperty("credit_notes").GetArrayLength());

        await AssertFollowUpsAsync(notes.Select(n => n.GetProperty("id").GetGuid()).ToList());
        await AssertReconcileCleanAsync();

        // Re-rendered, the invoice lists its credit notes and what is left.
        var renderedBefore = shown.GetProperty("pdf").GetProperty("rendered_at").GetDateTime();
        var render = await http.PostAsJsonAsync("/admin/render-pdf", new { invoice_id = invoice.Id });
        Assert.Equal(HttpStatusCode.Accepted, render.StatusCode);
        await Eventually.Until(async () => (await Pipeline.GetJsonAsync($"/api/invoices/{invoice.Id}")).GetProperty("pdf").GetProperty("rendered_at").GetDateTime(),
            at => at > renderedBefore, Long);
        var invoicePdf = PdfText.Extract(await http.GetByteArrayAsync($"/api/invoices/{invoice.Id}/pdf"));
        foreach (var note in notes) Assert.Contains(note.GetProperty("number").GetString()!, invoicePdf);
        Assert.Contains("Credited in total", invoicePdf);

    }

    [Fact]
    public async Task Refuses_a_credit_beyond_what_is_left_and_writes_nothing()
    {
        var invoice = InvoiceIn("JPY", 0);
        using var http = Pipeline.Api();
        // Lines are net of tax: tax = round(subtotal × rate), half away from zero.
        var byLines = await http.PostAsJsonAsync($"/api/invoices/{invoice.Id}/credit-notes", new
        {
            reason = "duplicate_usage",
            lines = new[] { new { description = "SMS sent twice", quantity = "7", unit_price = "3" }, new { description = "API calls counted twice", quantity = "1001", unit_price = "0.05" } },
        });
        Assert.True(byLines.StatusCode == HttpStatusCode.Created, await byLines.Content.ReadAsStringAsync());
        var first = JsonDocument.Parse(await byLines.Content.ReadAsStringAsync()).RootElement;
        var net = 7 * 3 + RoundHalfAway(1001 * 0.05m);
        Assert.Equal(net, first.GetProperty("subtotal_minor").GetInt64());
        Assert.Equal(RoundHalfAway(net * invoice.TaxRate / 100m), first.GetProperty("tax_minor").GetInt64());
        var remaining = invoice.TotalMinor - first.GetProperty("total_minor").GetInt64();

        var before = await CountsAsync();
        var tooMuch = await http.PostAsJsonAsync($"/api/invoices/{invoice.Id}/credit-notes", new { reason = "goodwill", amount_minor = remaining + 1 });
        Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
        var problem = JsonDocument.Parse(await tooMuch.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(remaining, problem.GetProperty("remaining_minor").GetInt64());
        Assert.Contains($"JPY {remaining:N0}", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await CountsAsync());

        var rest = await http.PostAsJsonAsync($"/api/invoices/{invoice.Id}/credit-notes", new { reason = "goodwill", amount = remaining.ToString() });
        Assert.True(rest.StatusCode == HttpStatusCode.Created, await rest.Content.ReadAsStringAsync());
        var last = JsonDocument.Parse(await rest.Content.ReadAsStringAsync()).RootElement;
        // The credit that completes the invoice gives back exactly the tax left.
        Assert.Equal(invoice.TaxMinor - first.GetProperty("tax_minor").GetInt64(), last.GetProperty("tax_minor").GetInt64());
        var shown = await Pipeline.GetJsonAsync($"/api/invoices/{invoice.Id}");
        Assert.Equal(0, shown.GetProperty("credits").GetProperty("remaining_minor").GetInt64());
        var again = await http.PostAsJsonAsync($"/api/invoices/{invoice.Id}/credit-notes", new { reason = "other", amount_minor = 1 });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await AssertNumbersGaplessAsync();
        await AssertFollowUpsAsync([first.GetProperty("id").GetGuid(), last.GetProperty("id").GetGuid()]);
        await AssertReconcileCleanAsync();
    }

    [Theory]
    [InlineData("""{"amount_minor":100}""", "reason")]
    [InlineData("""{"reason":"refund","amount_minor":100}""", "reason")]
    [InlineData("""{"reason":"overcharge"}""", "amount")]
    [InlineData("""{"reason":"overcharge","amount":"12,50"}""", "amount")]
    [InlineData("""{"reason":"overcharge","amount":"12.505"}""", "amount")]
    [InlineData("""{"reason":"overcharge","amount_minor":"100"}""", "amount_minor")]
    [InlineData("""{"reason":"overcharge","amount_minor":-5}""", "amount_minor")]
    [InlineData("""{"reason":"overcharge","amount_minor":100,"lines":[{"description":"x","quantity":"1","unit_price":"1"}]}""", "amount_minor")]
    [InlineData("""{"reason":"overcharge","lines":[{"description":"x","quantity":"one","unit_price":"1"}]}""", "lines[0].quantity")]
    [InlineData("""{"reason":"overcharge","lines":[{"description":"","quantity":"1","unit_price":"1"}]}""", "lines[0].description")]
    [InlineData("""{"reason":"overcharge","lines":[{"description":"x","quantity":"1","unit_price":"-1"}]}""", "lines[0].unit_price")]
    [InlineData("""{"reason":"overcharge","lines":{"description":"x"}}""", "lines")]
    [InlineData("""{"reason":"overcharge","amount_minor":100,"currency":"EUR"}""", "currency")]
    [InlineData("""[1,2]""", "body")]
    public async Task Refuses_malformed_requests_naming_the_field_and_writes_nothing(string body, string field)
    {
        var invoice = InvoiceIn("EUR", 2);
        using var http = Pipeline.Api();
        var before = await CountsAsync();
        var response = await http.PostAsync($"/api/invoices/{invoice.Id}/credit-notes", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Answers_404_for_an_unknown_invoice_and_400_for_a_malformed_id()
    {
        using var http = Pipeline.Api();
        var unknown = await http.PostAsJsonAsync($"/api/invoices/{Guid.NewGuid()}/credit-notes", new { reason = "overcharge", amount_minor = 1 });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var voidUnknown = await http.PostAsync($"/api/invoices/{Guid.NewGuid()}/void", null);
        Assert.Equal(HttpStatusCode.NotFound, voidUnknown.StatusCode);
        var malformed = await http.PostAsJsonAsync("/api/invoices/not-an-id/credit-notes", new { reason = "overcharge", amount_minor = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/credit-notes/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task Voids_an_unpaid_invoice_once_and_refuses_to_credit_it()
    {
        var invoice = InvoiceIn("USD", 0);
        using var http = Pipeline.Api();
        var voided = await http.PostAsync($"/api/invoices/{invoice.Id}/void", null);
        Assert.True(voided.StatusCode == HttpStatusCode.OK, await voided.Content.ReadAsStringAsync());
        Assert.Equal("void", (await Pipeline.GetJsonAsync($"/api/invoices/{invoice.Id}")).GetProperty("status").GetString());

        var before = await CountsAsync();
        var twice = await http.PostAsync($"/api/invoices/{invoice.Id}/void", null);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Contains("already void", await twice.Content.ReadAsStringAsync());
        var credit = await http.PostAsJsonAsync($"/api/invoices/{invoice.Id}/credit-notes", new { reason = "overcharge", amount_minor = 1 });
        Assert.Equal(HttpStatusCode.Conflict, credit.StatusCode);
        Assert.Contains("void invoice cannot be credited", await credit.Content.ReadAsStringAsync());
        Assert.Equal(before, await CountsAsync());

        // The reversal: one balanced entry mirroring the invoice's own, line by line.
        await using var conn = await Pipeline.Db.DataSource.OpenConnectionAsync();
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*)::int from invoices where id = @id and void_synced_at is not null", new { id = invoice.Id }),
            n => n == 1, Long);
        var lines = (await conn.QueryAsync<(string Type, string Account, long Debit, long Credit)>("""
            select e.source_type, l.ledger_account, l.debit_minor, l.credit_minor from journal_entries e join journal_lines l on l.entry_id = e.id
            where e.invoice_id = @id order by e.source_type, l.line_no
            """, new { id = invoice.Id })).ToList();
        var original = lines.Where(l => l.Type == "invoice").Select(l => (l.Account, l.Debit, l.Credit)).ToList();
        var reversal = lines.Where(l => l.Type == "void").Select(l => (l.Account, l.Credit, l.Debit)).ToList();
        Assert.NotEmpty(original);
        Assert.Equal(original, reversal);
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("select count(*)::int from journal_entries where source_type = 'void' and invoice_id = @id", new { id = invoice.Id }));
        await Eventually.UntilValue(() => fixture.Stripe.Invoices.Single(i => i.Id == invoice.StripeInvoiceId).Status, s => s == "void", Long);
        Assert.Equal(1, fixture.Stripe.RequestCount("POST", $"/v1/invoices/{invoice.StripeInvoiceId}/void"));
        await AssertReconcileCleanAsync();
    }

    [Fact]
    public async Task Refuses_to_void_a_paid_invoice_and_credits_it_instead()
    {
        var invoice = InvoiceIn("USD", 1);
        using var http = Pipeline.Api();
        fixture.Stripe.MarkPaid(invoice.StripeInvoiceId!);
        var webhook = fixture.Stripe.CreateInvoiceWebhook("invoice.paid", invoice.StripeInvoiceId!);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StringContent(webhook.Payload, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", webhook.SignatureHeader);
        var posted = await http.SendAsync(request);
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        await Eventually.Until(async () => (await Pipeline.GetJsonAsync($"/api/invoices/{invoice.Id}")).GetProperty("status").GetString(), s => s == "paid", Long);

        var before = await CountsAsync();
        var voided = await http.PostAsync($"/api/invoices/{invoice.Id}/void", null);
        Assert.Equal(HttpStatusCode.Conflict, voided.StatusCode);
        Assert.Contains("credit it instead", await voided.Content.ReadAsStringAsync());
        Assert.Equal(before, await CountsAsync());

        var credit = await http.PostAsJsonAsync($"/api/invoices/{invoice.Id}/credit-notes", new { reason = "goodwill", amount = "10.00" });
        Assert.True(credit.StatusCode == HttpStatusCode.Created, await credit.Content.ReadAsStringAsync());
        var note = JsonDocument.Parse(await credit.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1000, note.GetProperty("total_minor").GetInt64());
        await AssertFollowUpsAsync([note.GetProperty("id").GetGuid()]);
        await AssertReconcileCleanAsync();
    }

    [Fact]
    public async Task Credits_and_voids_through_the_cli_with_the_api_messages()
    {
        var invoice = InvoiceIn("EUR", 1);
        var (exit, output) = await Pipeline.CliAsync(TimeSpan.FromMinutes(2), "invoice", "credit", invoice.Id.ToString(), "--reason", "overcharge", "--amount", "12.50");
        Assert.True(exit == 0, output);
        Assert.Contains("EUR 12.50", output);
        Assert.Matches(@"credit note CN-\d{4}-\d{6}", output);

        (exit, output) = await Pipeline.CliAsync(TimeSpan.FromMinutes(2), "invoice", "credit", invoice.Id.ToString(), "--reason", "refund", "--amount", "1");
        Assert.NotEqual(0, exit);
        Assert.Single(output.Trim().Split('\n'));
        Assert.Contains("reason: 'refund' is not a reason", output);

        (exit, output) = await Pipeline.CliAsync(TimeSpan.FromMinutes(2), "invoice", "credit", invoice.Id.ToString(), "--reason", "overcharge", "--line", "SMS:3");
        Assert.NotEqual(0, exit);
        Assert.Contains("lines[0]", output);

        (exit, output) = await Pipeline.CliAsync(TimeSpan.FromMinutes(2), "invoice", "credit", invoice.Id.ToString(), "--reason", "duplicate_usage",
            "--line", "SMS sent twice:4:2.50");
        Assert.True(exit == 0, output);
        Assert.Contains($"EUR {10m + Math.Round(10m * invoice.TaxRate / 100m, 2, MidpointRounding.AwayFromZero):N2}", output);

        (exit, output) = await Pipeline.CliAsync(TimeSpan.FromMinutes(2), "invoice", "show", invoice.Id.ToString());
        Assert.True(exit == 0, output);
        Assert.Contains("credited EUR", output);
        Assert.Matches(@"CN-\d{4}-\d{6}", output);

        var unpaid = InvoiceIn("USD", 2);
        (exit, output) = await Pipeline.CliAsync(TimeSpan.FromMinutes(2), "invoice", "void", unpaid.Id.ToString());
        Assert.True(exit == 0, output);
        Assert.Contains("is void", output);
        (exit, output) = await Pipeline.CliAsync(TimeSpan.FromMinutes(2), "invoice", "void", unpaid.Id.ToString());
        Assert.NotEqual(0, exit);
        Assert.Contains("already void", output);

        (exit, output) = await Pipeline.CliAsync(TimeSpan.FromMinutes(2), "invoice", "credit", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Examples:", output);
    }

    [Fact]
    public async Task Changes_nothing_when_a_credit_note_event_is_delivered_again()
    {
        var invoice = InvoiceIn("EUR", 2);
        using var http = Pipeline.Api();
        var created = await http.PostAsJsonAsync($"/api/invoices/{invoice.Id}/credit-notes", new { reason = "other", amount_minor = 100 });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var note = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = note.GetProperty("id").GetGuid();
        await AssertFollowUpsAsync([id]);
        var before = await Pipeline.GetJsonAsync($"/api/credit-notes/{id}");

        var seen = new ConcurrentQueue<object>();
        await using var probe = await InProcessService.StartAsync("credit-note-probe", Pipeline.Db, Pipeline.Vhost,
            bus => bus.AddConsumer<FollowUpProbe>(), b => b.Services.AddSingleton(seen));
        var stripeRequests = fixture.Stripe.RequestCount("POST", "/v1/credit_notes");
        var again = new CreditNoteIssued(id, invoice.Id, invoice.AccountId, note.GetProperty("number").GetString()!, 100,
            note.GetProperty("tax_minor").GetInt64(), "EUR");
        await probe.Services.GetRequiredService<IBus>().Publish(again);
        await probe.Services.GetRequiredService<IBus>().Publish(again);
        // Both follow-ups of each copy are announced again (that is how a lost follow-up is recovered)...
        await Eventually.UntilValue(() => (seen.OfType<LedgerEntryPosted>().Count(e => e.SourceId == id.ToString()), seen.OfType<CreditNotePdfRendered>().Count(e => e.CreditNoteId == id)),
            n => n.Item1 == 2 && n.Item2 == 2, Long);
        await Task.Delay(TimeSpan.FromSeconds(3)); // the mailer takes the re-announced PDF after the probe saw it
        // ...and nothing is made twice: the same PDF, email, entry and Stripe credit note.
        var after = await Pipeline.GetJsonAsync($"/api/credit-notes/{id}");
        Assert.Equal(before.GetProperty("pdf").ToString(), after.GetProperty("pdf").ToString());
        Assert.Equal(before.GetProperty("emailed_at").ToString(), after.GetProperty("emailed_at").ToString());
        Assert.Equal(before.GetProperty("journal_entry_id").ToString(), after.GetProperty("journal_entry_id").ToString());
        await AssertFollowUpsAsync([id]);
        Assert.Equal(stripeRequests, fixture.Stripe.RequestCount("POST", "/v1/credit_notes"));
    }

    public sealed class FollowUpProbe(ConcurrentQueue<object> seen) : IConsumer<LedgerEntryPosted>, IConsumer<CreditNotePdfRendered>
    {
        public Task Consume(ConsumeContext<LedgerEntryPosted> context)
        {
            seen.Enqueue(context.Message);
            return Task.CompletedTask;
        }

        public Task Consume(ConsumeContext<CreditNotePdfRendered> context)
        {
            seen.Enqueue(context.Message);
            return Task.CompletedTask;
        }
    }

    /// <summary>Each credit note: one PDF at {account_id}/{credit_note_id}.pdf, one email carrying it, one balanced journal
    /// entry reversing its net amount and tax, one Stripe credit note of its total.</summary>
    private async Task AssertFollowUpsAsync(IReadOnlyList<Guid> creditNoteIds)
    {
        await using var conn = await Pipeline.Db.DataSource.OpenConnectionAsync();
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*)::int from credit_notes where id = any(@ids) and synced_at is not null",
            new { ids = creditNoteIds.ToArray() }), n => n == creditNoteIds.Count, Long);
        foreach (var id in creditNoteIds)
        {
            var note = await conn.QuerySingleAsync<(long Subtotal, long Tax, long Total)>("select subtotal_minor, tax_minor, total_minor from credit_notes where id = @id", new { id });
            var entries = (await conn.QueryAsync<(Guid Entry, string Account, long Debit, long Credit)>("""
                select e.id, l.ledger_account, l.debit_minor, l.credit_minor from journal_entries e join journal_lines l on l.entry_id = e.id
                where e.source_type = 'credit_note' and e.source_id = @id
                """, new { id = id.ToString() })).ToList();
            Assert.Single(entries.Select(e => e.Entry).Distinct());
            Assert.Equal(entries.Sum(e => e.Debit), entries.Sum(e => e.Credit));
            Assert.Equal(note.Total, entries.Where(e => e.Account == "accounts_receivable").Sum(e => e.Credit));
            Assert.Equal(note.Tax, entries.Where(e => e.Account == "tax_payable").Sum(e => e.Debit));
            Assert.Equal(note.Subtotal, entries.Where(e => e.Account == "contra_revenue:credit_notes").Sum(e => e.Debit));
        }

        await Eventually.Until(() => conn.ExecuteScalarAsync<int>(
            "select count(*)::int from credit_notes where id = any(@ids) and email_status = 'sent' and stripe_credit_note_id is not null",
            new { ids = creditNoteIds.ToArray() }), n => n == creditNoteIds.Count, Long);
        var mails = MaildirReader.Read(Pipeline.Maildir);
        foreach (var id in creditNoteIds)
        {
            var row = await conn.QuerySingleAsync<(Guid AccountId, string Number, string PdfKey, string PdfSha256, long Total, string StripeId)>(
                "select account_id, number, pdf_key, pdf_sha256, total_minor, stripe_credit_note_id from credit_notes where id = @id", new { id });
            Assert.Equal($"{row.AccountId:D}/{id:D}.pdf", row.PdfKey);
            var pdf = await File.ReadAllBytesAsync(Path.Combine(Pipeline.PdfDirectory, row.PdfKey));
            Assert.Equal(row.PdfSha256, Convert.ToHexStringLower(SHA256.HashData(pdf)));
            var text = PdfText.Extract(pdf);
            Assert.Contains("CREDIT NOTE", text);
            Assert.Contains(row.Number, text);

            var mail = Assert.Single(mails, m => m.Header("X-Billing-Credit-Note-Id") == id.ToString("D"));
            Assert.Contains(row.Number, mail.Header("Subject"));
            Assert.Equal(row.PdfSha256, Convert.ToHexStringLower(SHA256.HashData(Assert.Single(mail.Attachments).Content)));

            var stripe = Assert.Single(fixture.Stripe.CreditNotes, c => c.Metadata.GetValueOrDefault("credit_note_id") == id.ToString());
            Assert.Equal(row.StripeId, stripe.Id);
            Assert.Equal(row.Total, stripe.Amount);
        }
    }

    private async Task AssertReconcileCleanAsync()
    {
        var reconcile = await Pipeline.GetJsonAsync("/admin/reconcile?detail=true");
        Assert.True(reconcile.GetProperty("status").GetString() == "clean", reconcile.ToString());
        Assert.Equal(0, reconcile.GetProperty("drift_count").GetInt32());
    }

    private async Task AssertNumbersGaplessAsync()
    {
        await using var conn = await Pipeline.Db.DataSource.OpenConnectionAsync();
        var rows = await conn.QueryAsync<(string Issuer, string Number)>("select issuer, number from credit_notes");
        foreach (var issuer in rows.GroupBy(r => r.Issuer))
        {
            var numbers = issuer.Select(r => long.Parse(TrailingDigits().Match(r.Number).Value)).Order().ToList();
            Assert.Equal(Enumerable.Range(1, numbers.Count).Select(n => (long)n), numbers);
            Assert.All(issuer, r => Assert.Matches(@"^CN-\d{4}-\d{6}$", r.Number));
        }
    }

    /// <summary>What a refused request must leave as it was: credit notes, their lines, the number sequences, invoice states.</summary>
    private async Task<string> CountsAsync()
    {
        await using var conn = await Pipeline.Db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<string>("""
            select (select count(*) from credit_notes) || '/' || (select count(*) from credit_note_lines) || '/'
                || coalesce((select string_agg(issuer || ':' || next_value, ',' order by issuer) from credit_note_sequences), '') || '/'
                || (select string_agg(status, ',' order by id) from invoices)
            """) ?? "";
    }

    private static long RoundHalfAway(decimal value) => (long)Math.Round(value, MidpointRounding.AwayFromZero);

    [GeneratedRegex(@"\d+$")]
    private static partial Regex TrailingDigits();
}
