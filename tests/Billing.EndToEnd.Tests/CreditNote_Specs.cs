using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing.EndToEnd.Tests.Infrastructure;
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
        Assert.Equal(1000, JsonDocument.Parse(await credit.Content.ReadAsStringAsync()).RootElement.GetProperty("total_minor").GetInt64());
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
