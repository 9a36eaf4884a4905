using System.Net;
using Billing.Testing.FakeStripe;

namespace Billing.Stripe.Tests;

public sealed class When_an_invoice_is_pushed_to_stripe : StripeSpec
{
    [Fact]
    public async Task Does_create_a_finalized_invoice_with_the_sum_of_its_items()
    {
        var customer = await CreateCustomerAsync(StripeIdempotencyKeys.Customer(InvoiceId));
        var meta = new Dictionary<string, string> { ["invoice_id"] = InvoiceId.ToString() };
        var draft = await Client.CreateInvoiceAsync(customer.Id, "EUR", meta, StripeIdempotencyKeys.Invoice(InvoiceId), StripeSpec.DueDate);
        await Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 12_345, "eur", "Platform fee", null, StripeIdempotencyKeys.Item(InvoiceId, 1));
        await Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 655, "eur", "Impressions", null, StripeIdempotencyKeys.Item(InvoiceId, 2));

        var final = await Client.FinalizeInvoiceAsync(draft.Id, StripeIdempotencyKeys.Finalize(InvoiceId));

        Assert.Equal("draft", draft.Status);
        Assert.Equal("open", final.Status);
        Assert.Equal(13_000, final.Total);
        Assert.Equal(13_000, final.AmountDue);
        Assert.Equal("eur", final.Currency);
        Assert.False(string.IsNullOrEmpty(final.Number));
        Assert.Equal(InvoiceId.ToString(), final.Metadata!["invoice_id"]);
        Assert.Equivalent(final, await Client.GetInvoiceAsync(draft.Id), strict: true);
    }

    [Fact]
    public async Task Does_send_a_draft_that_stripe_neither_advances_nor_fills_with_pending_items()
    {
        var customer = await CreateCustomerAsync();
        var other = await Client.CreateInvoiceAsync(customer.Id, "eur", null, "other-invoice", StripeSpec.DueDate);
        await Client.CreateInvoiceItemAsync(customer.Id, other.Id, 999, "eur", null, null, "other-item");

        var draft = await Client.CreateInvoiceAsync(customer.Id, "eur", null, "invoice-key", StripeSpec.DueDate);

        Assert.Equal(0, draft.Total);
        var stored = Assert.Single(Server.Invoices, i => i.Id == draft.Id);
        Assert.False(stored.AutoAdvance);
        Assert.Equal("send_invoice", stored.CollectionMethod);
        Assert.Null(stored.DaysUntilDue);
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), stored.DueDate);
    }

    [Fact]
    public async Task Does_send_the_pinned_version_the_key_and_bracketed_metadata()
    {
        await Client.CreateCustomerAsync("Café & Co", "a+b@example.com",
            new Dictionary<string, string> { ["account_id"] = "acc=1&x", ["period"] = "2026-10" }, "customer-key");

        var request = Assert.Single(Server.Requests);
        Assert.Equal(global::Stripe.StripeConfiguration.ApiVersion, request.StripeVersion);
        Assert.Equal(FakeStripeServer.ApiVersion, request.StripeVersion);
        Assert.Equal("customer-key", request.IdempotencyKey);
        Assert.Contains(new KeyValuePair<string, string>("metadata[account_id]", "acc=1&x"), request.Form);
        Assert.Contains(new KeyValuePair<string, string>("name", "Café & Co"), request.Form);
        var customer = Assert.Single(Server.Customers);
        Assert.Equal("a+b@example.com", customer.Email);
        Assert.Equal("2026-10", customer.Metadata["period"]);
    }

    [Fact]
    public async Task Does_read_back_a_customer_by_id()
    {
        var created = await CreateCustomerAsync();

        var read = await Client.GetCustomerAsync(created.Id);

        Assert.StartsWith("cus_", read.Id);
        Assert.Equal(created.Id, read.Id);
        Assert.Equal("Acme GmbH", read.Name);
        Assert.Equal("acc-1", read.Metadata!["account_id"]);
    }

    [Fact]
    public async Task Does_report_an_unknown_customer_as_resource_missing()
    {
        var ex = await Assert.ThrowsAsync<StripeException>(() => Client.GetCustomerAsync("cus_doesnotexist"));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("resource_missing", ex.Code);
        Assert.Contains("cus_doesnotexist", ex.Message);
        Assert.StartsWith("req_", ex.RequestId);
    }

    [Fact]
    public async Task Does_refuse_items_for_a_finalized_invoice()
    {
        var customer = await CreateCustomerAsync();
        var draft = await Client.CreateInvoiceAsync(customer.Id, "eur", null, "invoice-key", StripeSpec.DueDate);
        await Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 100, "eur", null, null, "item-1");
        await Client.FinalizeInvoiceAsync(draft.Id, "finalize-key");

        var ex = await Assert.ThrowsAsync<StripeException>(() =>
            Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 100, "eur", null, null, "item-2"));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("invoice_not_editable", ex.Code);
        Assert.Equal(100, (await Client.GetInvoiceAsync(draft.Id)).Total);
    }
}

public sealed class When_the_client_is_given_bad_input : StripeSpec
{
    [Theory]
    [InlineData("eu")]
    [InlineData("eur1")]
    [InlineData("€ur")]
    [InlineData("")]
    public async Task Does_reject_a_currency_that_is_not_three_letters(string currency)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Client.CreateInvoiceAsync("cus_x", currency, null, "k", StripeSpec.DueDate));
        Assert.Empty(Server.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task Does_reject_an_empty_idempotency_key(string key)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Client.CreateCustomerAsync("Acme", null, null, key));
        Assert.Empty(Server.Requests);
    }

    [Theory]
    [InlineData("bad[key]")]
    [InlineData("")]
    [InlineData("a_key_that_is_longer_than_forty_characters_x")]
    public async Task Does_reject_metadata_keys_stripe_would_refuse(string key)
    {
        var metadata = new Dictionary<string, string> { [key] = "v" };

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Client.CreateCustomerAsync("Acme", null, metadata, "k"));
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void Does_refuse_options_without_an_api_key()
    {
        var ex = Assert.Throws<ArgumentException>(() => NewClient(o => o.ApiKey = ""));
        Assert.Contains("ApiKey", ex.Message);
    }

    [Fact]
    public void Does_refuse_a_relative_base_url()
    {
        var ex = Assert.Throws<ArgumentException>(() => NewClient(o => o.BaseUrl = "api.stripe.com"));
        Assert.Contains("BaseUrl", ex.Message);
    }
}

public sealed class When_an_invoice_in_a_currency_without_minor_units_is_pushed : StripeSpec
{
    [Fact]
    public async Task Does_send_isk_in_hundredths_and_read_it_back_in_kronur()
    {
        var customer = await CreateCustomerAsync();
        var draft = await Client.CreateInvoiceAsync(customer.Id, "ISK", null, "isk-invoice", StripeSpec.DueDate);
        var item = await Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 12_345, "ISK", "Platform fee", null, "isk-item");
        var final = await Client.FinalizeInvoiceAsync(draft.Id, "isk-finalize");

        Assert.Equal(1_234_500, Assert.Single(Server.InvoiceItems, i => i.Id == item.Id).Amount);
        Assert.Equal(1_234_500, Assert.Single(Server.Invoices, i => i.Id == draft.Id).Total);
        Assert.Equal(12_345, item.Amount);
        Assert.Equal(12_345, final.Total);
        Assert.Equal(12_345, final.AmountDue);
    }

    [Fact]
    public async Task Does_send_yen_as_they_are()
    {
        var customer = await CreateCustomerAsync();
        var draft = await Client.CreateInvoiceAsync(customer.Id, "JPY", null, "jpy-invoice", StripeSpec.DueDate);
        await Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 5_174, "JPY", "Platform fee", null, "jpy-item");
        var final = await Client.FinalizeInvoiceAsync(draft.Id, "jpy-finalize");

        Assert.Equal(5_174, Assert.Single(Server.Invoices, i => i.Id == draft.Id).Total);
        Assert.Equal(5_174, final.Total);
    }

    [Fact]
    public async Task Does_refuse_an_unknown_currency_before_sending_anything()
    {
        var customer = await CreateCustomerAsync();
        var draft = await Client.CreateInvoiceAsync(customer.Id, "eur", null, "xts-invoice", StripeSpec.DueDate);
        var before = Server.Requests.Count;
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Client.CreateInvoiceItemAsync(customer.Id, draft.Id, 100, "xts", null, null, "xts-item"));
        Assert.Equal(before, Server.Requests.Count);
    }
}
