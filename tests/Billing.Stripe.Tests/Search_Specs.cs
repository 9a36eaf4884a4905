namespace Billing.Stripe.Tests;

public sealed class When_an_invoice_is_looked_up_by_metadata : StripeSpec
{
    [Fact]
    public async Task Does_find_only_the_invoice_carrying_that_value()
    {
        var customer = await CreateCustomerAsync();
        var wanted = await Client.CreateInvoiceAsync(customer.Id, "eur", new Dictionary<string, string> { ["invoice_id"] = "inv-1" }, "k1", StripeSpec.DueDate);
        await Client.CreateInvoiceAsync(customer.Id, "eur", new Dictionary<string, string> { ["invoice_id"] = "inv-2" }, "k2", StripeSpec.DueDate);
        await Client.CreateInvoiceAsync(customer.Id, "eur", new Dictionary<string, string> { ["other"] = "inv-1" }, "k3", StripeSpec.DueDate);

        var found = await Client.SearchInvoicesByMetadataAsync("invoice_id", "inv-1");

        Assert.Equal(wanted.Id, Assert.Single(found).Id);
        var request = Server.Requests[^1];
        Assert.Equal("/v1/invoices/search", request.Path);
    }

    [Fact]
    public async Task Does_quote_values_with_apostrophes_and_backslashes()
    {
        var customer = await CreateCustomerAsync();
        var tricky = @"O'Brien\2026";
        var wanted = await Client.CreateInvoiceAsync(customer.Id, "eur", new Dictionary<string, string> { ["ref"] = tricky }, "k1", StripeSpec.DueDate);
        await Client.CreateInvoiceAsync(customer.Id, "eur", new Dictionary<string, string> { ["ref"] = "O" }, "k2", StripeSpec.DueDate);

        var found = await Client.SearchInvoicesByMetadataAsync("ref", tricky);

        Assert.Equal(wanted.Id, Assert.Single(found).Id);
    }

    [Fact]
    public async Task Does_return_nothing_when_no_invoice_matches()
    {
        Assert.Empty(await Client.SearchInvoicesByMetadataAsync("invoice_id", "never-created"));
    }

    [Fact]
    public async Task Does_follow_pages_until_the_last()
    {
        var customer = await CreateCustomerAsync();
        var fast = NewClient(o => o.RequestsPerSecond = 1000);
        var meta = new Dictionary<string, string> { ["run_id"] = "run-7" };
        for (var i = 0; i < 103; i++) await fast.CreateInvoiceAsync(customer.Id, "eur", meta, $"invoice-{i}", StripeSpec.DueDate);

        var found = await fast.SearchInvoicesByMetadataAsync("run_id", "run-7");

        Assert.Equal(103, found.Select(f => f.Id).Distinct().Count());
        Assert.Equal(2, Server.RequestCount("/v1/invoices/search"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a[b]")]
    public async Task Does_reject_a_key_stripe_cannot_search(string key)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Client.SearchInvoicesByMetadataAsync(key, "v"));
        Assert.Empty(Server.Requests);
    }
}
