namespace Billing.Stripe.Tests;

public sealed class When_a_request_body_is_form_encoded
{
    [Fact]
    public void Does_keep_brackets_readable_and_escape_values()
    {
        var body = new StripeForm()
            .Add("name", "Café & Co")
            .AddMetadata(new Dictionary<string, string> { ["z"] = "1", ["account id"] = "a=b" })
            .Add("amount", -1250)
            .Add("auto_advance", false)
            .Encode();

        Assert.Equal("name=Caf%C3%A9%20%26%20Co&metadata[account%20id]=a%3Db&metadata[z]=1&amount=-1250&auto_advance=false", body);
    }

    [Fact]
    public void Does_leave_out_fields_without_a_value()
    {
        Assert.Equal("name=x", new StripeForm().Add("name", "x").Add("email", null).AddMetadata(null).Encode());
    }
}
