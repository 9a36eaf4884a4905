namespace Billing.Stripe.Tests;

public sealed class When_idempotency_keys_are_derived_from_an_invoice
{
    private static readonly Guid Invoice = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    [Fact]
    public void Does_give_each_step_its_own_stable_key()
    {
        string[] keys =
        [
            StripeIdempotencyKeys.Customer(Invoice), StripeIdempotencyKeys.Item(Invoice, 1),
            StripeIdempotencyKeys.Item(Invoice, 2), StripeIdempotencyKeys.Invoice(Invoice), StripeIdempotencyKeys.Finalize(Invoice),
        ];

        Assert.Equal("billing-0f8fad5b-d9cb-469f-a165-70867728950e-customer", keys[0]);
        Assert.Equal("billing-0f8fad5b-d9cb-469f-a165-70867728950e-item-2", keys[2]);
        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(keys[3], StripeIdempotencyKeys.Invoice(Guid.Parse(Invoice.ToString())));
    }

    [Fact]
    public void Does_differ_between_invoices()
    {
        Assert.NotEqual(StripeIdempotencyKeys.Invoice(Invoice), StripeIdempotencyKeys.Invoice(Guid.NewGuid()));
    }

    [Fact]
    public void Does_refuse_an_empty_invoice_id()
    {
        Assert.Throws<ArgumentException>(() => StripeIdempotencyKeys.Invoice(Guid.Empty));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Does_refuse_a_line_number_below_one(int lineNo)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StripeIdempotencyKeys.Item(Invoice, lineNo));
    }
}
