using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Billing.Testing.FakeStripe;

namespace Billing.Stripe.Tests;

public sealed class When_many_consumers_call_the_fake_at_once : StripeSpec
{
    [Fact]
    public async Task Does_create_one_object_for_one_key_however_many_race()
    {
        var client = NewClient(o => { o.RequestsPerSecond = 1000; o.MaxRetries = 20; });

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            client.CreateCustomerAsync("Acme", null, null, "raced-key")));

        Assert.Single(Server.Customers);
        Assert.Single(results.Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task Does_keep_every_item_added_concurrently_in_the_total()
    {
        var client = NewClient(o => o.RequestsPerSecond = 1000);
        var customer = await client.CreateCustomerAsync("Acme", null, null, "c");
        var draft = await client.CreateInvoiceAsync(customer.Id, "usd", null, "i", StripeSpec.DueDate);

        await Task.WhenAll(Enumerable.Range(1, 40).Select(n =>
            client.CreateInvoiceItemAsync(customer.Id, draft.Id, n, "usd", null, null, $"item-{n}")));

        var invoice = await client.GetInvoiceAsync(draft.Id);
        Assert.Equal(40 * 41 / 2, invoice.Total);
        Assert.Equal(40, Assert.Single(Server.Invoices).ItemIds.Count);
    }
}

public sealed class When_the_fake_is_used_to_plant_state : StripeSpec
{
    [Fact]
    public async Task Does_report_a_planted_total_as_drift()
    {
        var customer = await CreateCustomerAsync();
        var draft = await Client.CreateInvoiceAsync(customer.Id, "eur", null, "i", StripeSpec.DueDate);
        await Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 5000, "eur", null, null, "item");
        await Client.FinalizeInvoiceAsync(draft.Id, "f");

        Server.SetInvoiceTotal(draft.Id, 4999);

        Assert.Equal(4999, (await Client.GetInvoiceAsync(draft.Id)).Total);
        Assert.Throws<ArgumentException>(() => Server.SetInvoiceTotal("in_missing", 1));
    }

    [Fact]
    public async Task Does_fail_only_the_path_a_failure_was_injected_for()
    {
        var customer = await CreateCustomerAsync();
        var draft = await Client.CreateInvoiceAsync(customer.Id, "eur", null, "i", StripeSpec.DueDate);
        await Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 10, "eur", null, null, "item");
        Server.FailNext(1, 402, path: "/finalize");

        await Client.GetInvoiceAsync(draft.Id);
        var ex = await Assert.ThrowsAsync<StripeException>(() => Client.FinalizeInvoiceAsync(draft.Id, "f"));

        Assert.Equal(HttpStatusCode.PaymentRequired, ex.StatusCode);
        Assert.Equal("open", (await Client.FinalizeInvoiceAsync(draft.Id, "f")).Status);
    }

    [Fact]
    public async Task Does_forget_cleared_failures()
    {
        Server.FailNext(5, 500, shouldRetry: false);
        Server.ClearFailures();

        await CreateCustomerAsync();

        Assert.Single(Server.Customers);
    }

    [Theory]
    [InlineData(0, 500)]
    [InlineData(1, 200)]
    [InlineData(1, 600)]
    public void Does_refuse_an_injection_that_makes_no_sense(int count, int status)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Server.FailNext(count, status));
    }

    [Fact]
    public async Task Does_mark_an_invoice_with_nothing_due_paid_on_finalize()
    {
        var customer = await CreateCustomerAsync();
        var draft = await Client.CreateInvoiceAsync(customer.Id, "jpy", null, "i", StripeSpec.DueDate);

        var final = await Client.FinalizeInvoiceAsync(draft.Id, "f");

        Assert.Equal("paid", final.Status);
        Assert.Equal(0, final.AmountDue);
    }

    [Fact]
    public async Task Does_refuse_to_finalize_twice_with_another_key()
    {
        var customer = await CreateCustomerAsync();
        var draft = await Client.CreateInvoiceAsync(customer.Id, "eur", null, "i", StripeSpec.DueDate);
        await Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 10, "eur", null, null, "item");
        var first = await Client.FinalizeInvoiceAsync(draft.Id, "f1");

        var ex = await Assert.ThrowsAsync<StripeException>(() => Client.FinalizeInvoiceAsync(draft.Id, "f2"));

        Assert.Equal("invoice_not_editable", ex.Code);
        Assert.Equal(first.Number, (await Client.GetInvoiceAsync(draft.Id)).Number);
    }

    [Fact]
    public async Task Does_number_finalized_invoices_without_gaps()
    {
        var customer = await CreateCustomerAsync();
        var numbers = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            var draft = await Client.CreateInvoiceAsync(customer.Id, "eur", null, $"i{i}", StripeSpec.DueDate);
            await Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 10, "eur", null, null, $"item{i}");
            numbers.Add((await Client.FinalizeInvoiceAsync(draft.Id, $"f{i}")).Number);
        }

        Assert.Equal(["0001", "0002", "0003"], numbers.Select(n => n![^4..]));
    }

    [Fact]
    public async Task Does_sign_webhooks_the_client_accepts()
    {
        var customer = await CreateCustomerAsync();
        var draft = await Client.CreateInvoiceAsync(customer.Id, "eur", null, "i", StripeSpec.DueDate);

        var webhook = Server.CreateInvoiceWebhook("invoice.paid", draft.Id);

        var result = StripeWebhookSignature.Verify(webhook.Payload, webhook.SignatureHeader, [Server.WebhookSecret],
            DateTimeOffset.UtcNow, TimeSpan.FromSeconds(300));
        Assert.Equal(StripeSignatureResult.Valid, result);
        var evt = StripeWebhookEvent.Parse(webhook.Payload);
        Assert.Equal("invoice.paid", evt.Type);
        Assert.Equal(FakeStripeServer.ApiVersion, evt.ApiVersion);
        Assert.Equal(draft.Id, Assert.IsType<global::Stripe.Invoice>(evt.Data.Object).Id);
    }
}

public sealed class When_the_fake_gets_a_request_stripe_would_refuse : StripeSpec
{
    [Fact]
    public async Task Does_answer_a_request_without_a_key_with_a_stripe_shaped_401()
    {
        using var response = await Http.GetAsync(Server.BaseUrl + "/v1/customers/cus_1");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("API key", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("amount=abc&currency=eur", "amount", "parameter_invalid")]
    [InlineData("currency=eur", "amount", "parameter_missing")]
    [InlineData("amount=5&currency=EURO", "currency", "parameter_invalid")]
    [InlineData("amount=5", "currency", "parameter_missing")]
    public async Task Does_name_the_bad_parameter_of_an_invoice_item(string fields, string param, string code)
    {
        var customer = await CreateCustomerAsync();
        using var response = await PostAsync("/v1/invoiceitems", $"customer={customer.Id}&{fields}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(param, body.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(code, body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(Server.InvoiceItems);
    }

    [Theory]
    [InlineData("metadata['a'] = 'b'")]
    [InlineData("metadata['a']:'b' OR status:'open'")]
    [InlineData("total>100")]
    public async Task Does_refuse_a_search_query_it_does_not_understand(string query)
    {
        using var response = await GetAsync($"/v1/invoices/search?query={Uri.EscapeDataString(query)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("2024-06-20")]
    [InlineData("2025-03-31.basil")]
    [InlineData("")]
    public async Task Does_refuse_a_request_pinned_to_another_api_version(string version)
    {
        var customer = await CreateCustomerAsync();

        using var response = await GetAsync($"/v1/customers/{customer.Id}", version);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Stripe-Version", body.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Contains(FakeStripeServer.ApiVersion, body.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Does_answer_the_version_stripe_net_pins()
    {
        var customer = await CreateCustomerAsync();

        using var response = await GetAsync($"/v1/customers/{customer.Id}", global::Stripe.StripeConfiguration.ApiVersion);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Does_answer_an_unknown_path_with_a_stripe_shaped_404()
    {
        using var response = await GetAsync("/v1/charges");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Unrecognized request URL", await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> PostAsync(string path, string form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Server.BaseUrl + path)
        {
            Content = new StringContent(form, null, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Server.ApiKey);
        request.Headers.Add("Stripe-Version", FakeStripeServer.ApiVersion);
        return Http.SendAsync(request);
    }

    private Task<HttpResponseMessage> GetAsync(string path, string? version = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Server.BaseUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Server.ApiKey);
        if (version != "") request.Headers.Add("Stripe-Version", version ?? FakeStripeServer.ApiVersion);
        return Http.SendAsync(request);
    }
}
