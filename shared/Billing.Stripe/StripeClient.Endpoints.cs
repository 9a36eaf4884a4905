using System.Globalization;

namespace Billing.Stripe;

public sealed partial class StripeClient
{
    public Task<StripeCustomer> CreateCustomerAsync(string name, string? email,
        IReadOnlyDictionary<string, string>? metadata, string idempotencyKey, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var form = new StripeForm().Add("name", name).Add("email", email).AddMetadata(Checked(metadata));
        return SendAsync<StripeCustomer>(HttpMethod.Post, "/v1/customers", form, Key(idempotencyKey), ct);
    }

    public Task<StripeCustomer> GetCustomerAsync(string id, CancellationToken ct = default) =>
        SendAsync<StripeCustomer>(HttpMethod.Get, $"/v1/customers/{Id(id)}", null, null, ct);

    /// <summary>An item attached to a draft invoice; <paramref name="amount"/> in the currency's minor unit.</summary>
    public Task<StripeInvoiceItem> CreateInvoiceItemAsync(string customer, string invoice, long amount, string currency,
        string? description, IReadOnlyDictionary<string, string>? metadata, string idempotencyKey, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customer);
        ArgumentException.ThrowIfNullOrWhiteSpace(invoice);
        var form = new StripeForm()
            .Add("customer", customer)
            .Add("invoice", invoice)
            .Add("amount", amount)
            .Add("currency", Currency(currency))
            .Add("description", description)
            .AddMetadata(Checked(metadata));
        return SendAsync<StripeInvoiceItem>(HttpMethod.Post, "/v1/invoiceitems", form, Key(idempotencyKey), ct);
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
        var form = new StripeForm()
            .Add("customer", customer)
            .Add("currency", Currency(currency))
            .Add("auto_advance", false)
            .Add("collection_method", "send_invoice")
            .Add("due_date", new DateTimeOffset(dueDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds())
            .Add("pending_invoice_items_behavior", "exclude")
            .AddMetadata(Checked(metadata));
        return SendAsync<StripeInvoice>(HttpMethod.Post, "/v1/invoices", form, Key(idempotencyKey), ct);
    }

    public Task<StripeInvoice> FinalizeInvoiceAsync(string id, string idempotencyKey, CancellationToken ct = default) =>
        SendAsync<StripeInvoice>(HttpMethod.Post, $"/v1/invoices/{Id(id)}/finalize", new StripeForm(), Key(idempotencyKey), ct);

    public Task<StripeInvoice> GetInvoiceAsync(string id, CancellationToken ct = default) =>
        SendAsync<StripeInvoice>(HttpMethod.Get, $"/v1/invoices/{Id(id)}", null, null, ct);

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
            var path = $"/v1/invoices/search?query={Uri.EscapeDataString(query)}&limit=100";
            if (page is not null) path += $"&page={Uri.EscapeDataString(page)}";
            var result = await SendAsync<StripeSearchResult<StripeInvoice>>(HttpMethod.Get, path, null, null, ct).ConfigureAwait(false);
            found.AddRange(result.Data);
            page = result.HasMore ? result.NextPage : null;
        } while (page is not null);
        return found;
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

    private static string Id(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return Uri.EscapeDataString(id);
    }

    private static string Currency(string currency)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetter))
            throw new ArgumentException($"Currency must be a three-letter ISO code, got '{currency}'.", nameof(currency));
        return currency.ToLower(CultureInfo.InvariantCulture);
    }

    // Stripe's limits: 50 keys, keys up to 40 characters without brackets, values up to 500 characters.
    private static IReadOnlyDictionary<string, string>? Checked(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null) return null;
        if (metadata.Count > 50) throw new ArgumentException("Stripe allows at most 50 metadata keys.", nameof(metadata));
        foreach (var (key, value) in metadata)
        {
            ValidateMetadataKey(key);
            if (value is null || value.Length > 500)
                throw new ArgumentException($"Metadata value of '{key}' must be set and at most 500 characters.", nameof(metadata));
        }
        return metadata;
    }

    private static void ValidateMetadataKey(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 40 || key.Contains('[') || key.Contains(']'))
            throw new ArgumentException($"Metadata key '{key}' must be 1-40 characters without square brackets.", nameof(key));
    }
}
