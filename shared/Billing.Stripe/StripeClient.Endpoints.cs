using System.Globalization;
using Stripe;

namespace Billing.Stripe;

public sealed partial class StripeClient
{
    public Task<StripeCustomer> CreateCustomerAsync(string name, string? email,
        IReadOnlyDictionary<string, string>? metadata, string idempotencyKey, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new CustomerCreateOptions { Name = name, Email = email, Metadata = Checked(metadata) };
        var request = Idempotent(idempotencyKey);
        return CallAsync(() => _customers.CreateAsync(options, request, ct), StripeCustomer.From);
    }

    public Task<StripeCustomer> GetCustomerAsync(string id, CancellationToken ct = default)
    {
        var customer = Id(id);
        return CallAsync(() => _customers.GetAsync(customer, null, null, ct), StripeCustomer.From);
    }

    /// <summary>An item attached to a draft invoice; <paramref name="amount"/> in the currency's minor unit.</summary>
    public Task<StripeInvoiceItem> CreateInvoiceItemAsync(string customer, string invoice, long amount, string currency,
        string? description, IReadOnlyDictionary<string, string>? metadata, string idempotencyKey, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customer);
        ArgumentException.ThrowIfNullOrWhiteSpace(invoice);
        var options = new InvoiceItemCreateOptions
        {
            Customer = customer,
            Invoice = invoice,
            Amount = StripeAmounts.ToStripe(amount, Currency(currency)),
            Currency = Currency(currency),
            Description = description,
            Metadata = Checked(metadata),
        };
        var request = Idempotent(idempotencyKey);
        return CallAsync(() => _items.CreateAsync(options, request, ct), StripeInvoiceItem.From);
    }

    /// <summary>
    /// A draft invoice that only gathers items created for it: pending items of the customer stay out, and
    /// Stripe neither finalizes nor emails it on its own (we render and send invoices ourselves). Its due date is the
    /// one stored on our invoice (midnight UTC of that day), not a term of its own.
    /// </summary>
    public Task<StripeInvoice> CreateInvoiceAsync(string customer, string currency,
        IReadOnlyDictionary<string, string>? metadata, string idempotencyKey, DateOnly dueDate, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customer);
        var options = new InvoiceCreateOptions
        {
            Customer = customer,
            Currency = Currency(currency),
            AutoAdvance = false,
            CollectionMethod = "send_invoice",
            DueDate = dueDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            PendingInvoiceItemsBehavior = "exclude",
            Metadata = Checked(metadata),
        };
        var request = Idempotent(idempotencyKey);
        return CallAsync(() => _invoices.CreateAsync(options, request, ct), StripeInvoice.From);
    }

    public Task<StripeInvoice> FinalizeInvoiceAsync(string id, string idempotencyKey, CancellationToken ct = default)
    {
        var invoice = Id(id);
        var request = Idempotent(idempotencyKey);
        return CallAsync(() => _invoices.FinalizeInvoiceAsync(invoice, null, request, ct), StripeInvoice.From);
    }

    public Task<StripeInvoice> GetInvoiceAsync(string id, CancellationToken ct = default)
    {
        var invoice = Id(id);
        return CallAsync(() => _invoices.GetAsync(invoice, null, null, ct), StripeInvoice.From);
    }

    /// <summary>
    /// Invoices whose metadata[key] equals value: how we find an invoice created earlier once its
    /// idempotency key may have expired (Stripe keeps keys 24 hours). Stripe's search index lags writes by
    /// up to a minute, so this is for late repeats, not for a request that just ran.
    /// </summary>
    public async Task<IReadOnlyList<StripeInvoice>> SearchInvoicesByMetadataAsync(string key, string value, CancellationToken ct = default)
    {
        ValidateMetadataKey(key);
        ArgumentNullException.ThrowIfNull(value);
        var query = $"metadata['{Quote(key)}']:'{Quote(value)}'";
        var found = new List<StripeInvoice>();
        string? page = null;
        do
        {
            var options = new InvoiceSearchOptions { Query = query, Limit = 100, Page = page };
            var result = await CallAsync(() => _invoices.SearchAsync(options, null, ct), r => r).ConfigureAwait(false);
            foreach (var invoice in result.Data) found.Add(await CallAsync(() => Task.FromResult(invoice), StripeInvoice.From).ConfigureAwait(false));
            page = result.HasMore ? result.NextPage : null;
        } while (page is not null);
        return found;
    }

    /// <summary>
    /// The invoice payments made through a payment intent: the link from a charge, refund or dispute (each names its
    /// payment intent) to the invoice it paid, now that Stripe's charges no longer name an invoice.
    /// </summary>
    public async Task<IReadOnlyList<StripeInvoicePayment>> InvoicePaymentsOfPaymentIntentAsync(string paymentIntent, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(paymentIntent);
        var found = new List<StripeInvoicePayment>();
        string? after = null;
        while (true)
        {
            var options = new InvoicePaymentListOptions
            {
                Payment = new InvoicePaymentPaymentOptions { Type = "payment_intent", PaymentIntent = paymentIntent },
                Limit = 100,
                StartingAfter = after,
            };
            var page = await CallAsync(() => _invoicePayments.ListAsync(options, null, ct), r => r).ConfigureAwait(false);
            foreach (var payment in page.Data) found.Add(await CallAsync(() => Task.FromResult(payment), StripeInvoicePayment.From).ConfigureAwait(false));
            if (!page.HasMore || page.Data.Count == 0) return found;
            after = page.Data[^1].Id;
        }
    }

    // Stripe's search language quotes strings with ' and escapes with a backslash.
    private static string Quote(string s) => s.Replace("\\", "\\\\").Replace("'", "\\'");

    private static string Key(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        if (idempotencyKey.Length > 255)
            throw new ArgumentException("Stripe accepts idempotency keys of at most 255 characters.", nameof(idempotencyKey));
        return idempotencyKey;
    }

    // Stripe.net puts ids into the path escaped; this only refuses an empty one before anything is sent.
    private static string Id(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return id;
    }

    private static string Currency(string currency)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetter))
            throw new ArgumentException($"Currency must be a three-letter ISO code, got '{currency}'.", nameof(currency));
        return currency.ToLower(CultureInfo.InvariantCulture);
    }

    // Stripe's limits: 50 keys, keys up to 40 characters without brackets, values up to 500 characters.
    // Copied in key order, so the same dictionary always yields the same body: Stripe compares the parameters of a
    // replayed idempotent request, and a different order must not look like different parameters.
    private static Dictionary<string, string>? Checked(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null) return null;
        if (metadata.Count > 50) throw new ArgumentException("Stripe allows at most 50 metadata keys.", nameof(metadata));
        var copy = new Dictionary<string, string>(metadata.Count, StringComparer.Ordinal);
        foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ValidateMetadataKey(key);
            if (value is null || value.Length > 500)
                throw new ArgumentException($"Metadata value of '{key}' must be set and at most 500 characters.", nameof(metadata));
            copy.Add(key, value);
        }
        return copy;
    }

    private static void ValidateMetadataKey(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 40 || key.Contains('[') || key.Contains(']'))
            throw new ArgumentException($"Metadata key '{key}' must be 1-40 characters without square brackets.", nameof(key));
    }
}
