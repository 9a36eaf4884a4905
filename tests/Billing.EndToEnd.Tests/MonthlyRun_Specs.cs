using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Billing.EndToEnd.Tests.Infrastructure;
using Billing.Testing.FakeStripe;
using Dapper;

namespace Billing.EndToEnd.Tests;

/// <summary>Journey 1: accounts in, the run started through the CLI, every invoice generated, rendered, emailed and
/// posted exactly once, the ledger reconciles and the closing report reaches the chat.</summary>
public sealed class When_the_monthly_run_is_started_through_the_cli : IAsyncLifetime
{
    private const int Accounts = 40;
    private Pipeline pipeline = null!;
    private ChatReceiver chat = null!;

    public async Task InitializeAsync()
    {
        chat = await ChatReceiver.StartAsync();
        pipeline = await Pipeline.CreateAsync("e2erun");
        pipeline.StartSmtp();
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await pipeline.StartAllAsync(new Dictionary<string, IDictionary<string, string?>>
        {
            ["redrive"] = new Dictionary<string, string?> { ["Chat__WebhookUrl"] = chat.WebhookUrl },
        });
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        await chat.DisposeAsync();
    }

    [Fact]
    public async Task Does_invoice_render_email_and_post_every_account_exactly_once_and_report_the_count()
    {
        var (exit, output) = await pipeline.CliAsync(TimeSpan.FromMinutes(10), "run", "start", "--period", Pipeline.Period, "--watch");
        Assert.True(exit == 0, $"billing run start --watch exited {exit}:\n{output}\n{pipeline.Logs()}");

        var runId = await pipeline.RunIdAsync();
        await pipeline.AssertRunInvariantsAsync(runId, Accounts);

        var reconcile = await pipeline.GetJsonAsync("/admin/reconcile");
        Assert.Equal("clean", reconcile.GetProperty("status").GetString());
        Assert.Equal(0, reconcile.GetProperty("drift_count").GetInt32());

        var report = await Billing.Testing.Eventually.Until(
            () => Task.FromResult(chat.Messages.FirstOrDefault(m => m.Contains($"Invoice run {Pipeline.Period} completed", StringComparison.Ordinal)) ?? ""),
            m => m.Length > 0, TimeSpan.FromMinutes(3));
        Assert.Contains($"invoices: {Accounts} of {Accounts} accounts", report);
        Assert.Contains(runId.ToString("D"), report);
    }
}

/// <summary>
/// Journey 1 in the two currencies without minor units: an ISK and a JPY invoice show the same amount in the database,
/// the PDF, the email, the ledger export, the month-end summary, the closing report in the chat and Stripe (which takes
/// ISK in hundredths).
/// </summary>
public sealed class When_invoices_without_minor_units_go_through_the_pipeline : IAsyncLifetime
{
    // Base fee + 0.5 per API call; 10 % tax rounded half away from zero.
    private static readonly Expected Isk = new("ISK", BaseFee: 10_000, Calls: 4_690, Subtotal: 12_345, Total: 13_580, "ISK 12,345", "ISK 13,580");
    private static readonly Expected Jpy = new("JPY", BaseFee: 3_000, Calls: 4_348, Subtotal: 5_174, Total: 5_691, "JPY 5,174", "JPY 5,691");

    private sealed record Expected(string Currency, long BaseFee, int Calls, long Subtotal, long Total, string SubtotalText, string TotalText);

    private Pipeline pipeline = null!;
    private ChatReceiver chat = null!;
    private FakeStripeServer stripe = null!;

    public async Task InitializeAsync()
    {
        chat = await ChatReceiver.StartAsync();
        stripe = await FakeStripeServer.StartNewAsync();
        pipeline = await Pipeline.CreateAsync("e2ezero");
        pipeline.Environment["Stripe__ApiKey"] = stripe.ApiKey;
        pipeline.Environment["Stripe__BaseUrl"] = stripe.BaseUrl;
        pipeline.Environment["Stripe__WebhookSecrets"] = stripe.WebhookSecret;
        pipeline.StartSmtp();
        await using (var conn = await pipeline.Db.DataSource.OpenConnectionAsync())
        {
            foreach (var e in new[] { Isk, Jpy })
            {
                var plan = Guid.NewGuid();
                var account = Guid.NewGuid();
                await conn.ExecuteAsync("""
                    insert into plans (id, code, name, currency, base_fee_minor, components)
                    values (@plan, @code, @code, @currency, @baseFee,
                            '[{"metric":"api_calls","model":"per_unit","unit_price":"0.5"}]'::jsonb);
                    insert into accounts (id, name, billing_email, currency, plan_id, tax_rate, address, billing_starts_on)
                    values (@account, @name, @email, @currency, @plan, 10,
                            '{"line1":"Laugavegur 1","city":"Reykjavík","postal_code":"101","country":"IS"}'::jsonb, @starts::date);
                    insert into usage_records (account_id, period, metric, quantity, occurred_at, idempotency_key)
                    values (@account, @period, 'api_calls', @calls, @at, @key);
                    """, new
                {
                    plan, code = "plan-" + e.Currency.ToLowerInvariant(), currency = e.Currency, baseFee = e.BaseFee, account,
                    name = $"Customer in {e.Currency}", email = $"billing+{e.Currency.ToLowerInvariant()}@example.test",
                    starts = BillingStart.Of(Pipeline.Period).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), period = Pipeline.Period, calls = (decimal)e.Calls,
                    at = BillingStart.Of(Pipeline.Period).AddDays(14).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), key = $"{account:N}-calls",
                });
            }
        }
        await pipeline.StartAllAsync(new Dictionary<string, IDictionary<string, string?>>
        {
            ["redrive"] = new Dictionary<string, string?> { ["Chat__WebhookUrl"] = chat.WebhookUrl },
        });
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        await stripe.DisposeAsync();
        await chat.DisposeAsync();
    }

    private sealed record Row(Guid Id, string Currency, long SubtotalMinor, long TotalMinor, string? StripeInvoiceId, string LedgerPeriod);

    [Fact]
    public async Task Does_show_the_same_amount_in_the_pdf_email_ledger_summary_report_and_stripe()
    {
        using var http = pipeline.Api();
        var started = await http.PostAsJsonAsync("/api/runs", new { period = Pipeline.Period });
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var runId = await pipeline.RunIdAsync();
        await pipeline.WaitCompletedAsync(runId);
        await pipeline.AssertRunInvariantsAsync(runId, 2);

        await using var conn = await pipeline.Db.DataSource.OpenConnectionAsync();
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*)::int from invoices where stripe_invoice_id is null"),
            n => n == 0, TimeSpan.FromMinutes(3));
        var rows = (await conn.QueryAsync<Row>("""
            select i.id, trim(i.currency) as currency, i.subtotal_minor, i.total_minor, i.stripe_invoice_id,
                   to_char(e.posted_at at time zone 'UTC', 'YYYY-MM') as ledger_period
              from invoices i join journal_entries e on e.invoice_id = i.id and e.source_type = 'invoice'
            """)).ToDictionary(r => r.Currency);
        var mails = MaildirReader.Read(pipeline.Maildir);
        var report = await Eventually.Until(
            () => Task.FromResult(chat.Messages.FirstOrDefault(m => m.Contains($"Invoice run {Pipeline.Period} completed", StringComparison.Ordinal)) ?? ""),
            m => m.Length > 0, TimeSpan.FromMinutes(3));
        Assert.Contains($"• totals: {Isk.TotalText} (1 invoices), {Jpy.TotalText} (1 invoices)", report);

        foreach (var e in new[] { Isk, Jpy })
        {
            var row = rows[e.Currency];
            Assert.Equal((e.Subtotal, e.Total), (row.SubtotalMinor, row.TotalMinor));

            var pdf = PdfText.Extract(await http.GetByteArrayAsync($"/api/invoices/{row.Id}/pdf"));
            Assert.Matches($@"Subtotal\s+{e.SubtotalText}\s*\n", pdf);
            Assert.Matches($@"Total\s+{e.TotalText}\s*\n", pdf);

            var mail = Assert.Single(mails, m => m.Header("X-Billing-Invoice-Id") == row.Id.ToString("D"));
            Assert.Contains($"Total:          {e.TotalText}", mail.Message.TextBody);
            Assert.Contains(e.TotalText, mail.Message.HtmlBody);

            // The receivable debit of the invoice's entry: minor units and major units (no minor unit: the same number).
            var csv = await http.GetStringAsync($"/api/ledger/export?period={row.LedgerPeriod}&format=csv");
            var receivable = csv.Split('\n').Select(l => l.Split(','))
                .Single(f => f.Length > 13 && f[3] == row.Id.ToString() && f[9] == "accounts_receivable");
            Assert.Equal((e.Currency, e.Total.ToString(CultureInfo.InvariantCulture), "0", e.Total.ToString(CultureInfo.InvariantCulture), "0"),
                (receivable[5], receivable[10], receivable[11], receivable[12], receivable[13]));

            var summary = await pipeline.GetJsonAsync($"/api/ledger/export?period={row.LedgerPeriod}&format=summary");
            var currency = summary.GetProperty("currencies").EnumerateArray().Single(c => c.GetProperty("currency").GetString() == e.Currency);
            var account = currency.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("ledger_account").GetString() == "accounts_receivable");
            Assert.Equal(e.Total, account.GetProperty("debit_minor").GetInt64());

            // Stripe counts ISK in hundredths (a whole number of krónur), JPY as it is; our client reads both back in minor units.
            var pushed = Assert.Single(stripe.Invoices, i => i.Id == row.StripeInvoiceId);
            Assert.Equal(e.Currency == "ISK" ? e.Total * 100 : e.Total, pushed.Total);
            Assert.Equal(e.Currency.ToLowerInvariant(), pushed.Currency);
        }

        var reconcile = await pipeline.GetJsonAsync("/admin/reconcile");
        Assert.Equal("clean", reconcile.GetProperty("status").GetString());
        Assert.True(reconcile.GetProperty("stripe_checked").GetBoolean());
    }
}
