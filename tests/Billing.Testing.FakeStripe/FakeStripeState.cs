namespace Billing.Testing.FakeStripe;

/// <summary>The fake's objects. One lock guards all of them: a test server needs correctness, not throughput.</summary>
internal sealed class FakeStripeState(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<FakeCustomer> _customers = [];
    private readonly List<FakeInvoiceItem> _items = [];
    private readonly List<FakeInvoice> _invoices = [];
    // Stripe numbers invoices PREFIX-0001 with a prefix per account; one prefix per fake server will do.
    private readonly string _numberPrefix = FakeIds.New("x")[2..10].ToUpperInvariant();
    private int _nextNumber = 1;

    public IReadOnlyList<FakeCustomer> Customers { get { lock (_gate) return [.. _customers]; } }

    public IReadOnlyList<FakeInvoiceItem> Items { get { lock (_gate) return [.. _items]; } }

    public IReadOnlyList<FakeInvoice> Invoices { get { lock (_gate) return [.. _invoices]; } }

    private long Now => time.GetUtcNow().ToUnixTimeSeconds();

    public FakeCustomer AddCustomer(string? name, string? email, IReadOnlyDictionary<string, string> metadata)
    {
        var customer = new FakeCustomer(FakeIds.New("cus"), name, email, metadata, Now);
        lock (_gate) _customers.Add(customer);
        return customer;
    }

    public FakeCustomer? FindCustomer(string id)
    {
        lock (_gate) return _customers.Find(c => c.Id == id);
    }

    public FakeInvoice? FindInvoice(string id)
    {
        lock (_gate) return _invoices.Find(i => i.Id == id);
    }

    public IReadOnlyList<FakeInvoiceItem> ItemsOf(FakeInvoice invoice)
    {
        lock (_gate) return [.. _items.Where(i => i.Invoice == invoice.Id)];
    }

    public OneOf<FakeInvoiceItem> AddItem(string customer, string? invoiceId, long amount, string currency, string? description,
        IReadOnlyDictionary<string, string> metadata)
    {
        lock (_gate)
        {
            if (!_customers.Exists(c => c.Id == customer)) return FakeStripeError.NoSuch("customer", customer, "customer");
            var item = new FakeInvoiceItem(FakeIds.New("ii"), customer, invoiceId, amount, currency, description, metadata, Now);
            if (invoiceId is not null)
            {
                var index = _invoices.FindIndex(i => i.Id == invoiceId);
                if (index < 0) return FakeStripeError.NoSuch("invoice", invoiceId, "invoice");
                var invoice = _invoices[index];
                if (invoice.Customer != customer)
                    return FakeStripeError.Invalid("invoice", $"Invoice {invoiceId} belongs to another customer.");
                if (invoice.Status != "draft")
                    return new FakeStripeError(400, "invalid_request_error",
                        $"You can only add invoice items to draft invoices; {invoiceId} is {invoice.Status}.", "invoice_not_editable", "invoice");
                if (invoice.Currency != currency)
                    return FakeStripeError.Invalid("currency",
                        $"The currency of the invoice item ({currency}) must match the invoice's currency ({invoice.Currency}).");
                _invoices[index] = invoice with { ItemIds = [.. invoice.ItemIds, item.Id], Total = invoice.Total + amount, AmountDue = invoice.AmountDue + amount };
            }
            _items.Add(item);
            return item;
        }
    }

    public OneOf<FakeInvoice> AddInvoice(string customer, string currency, bool autoAdvance, string collectionMethod,
        long? daysUntilDue, bool includePending, IReadOnlyDictionary<string, string> metadata)
    {
        lock (_gate)
        {
            if (!_customers.Exists(c => c.Id == customer)) return FakeStripeError.NoSuch("customer", customer, "customer");
            var id = FakeIds.New("in");
            var pulled = new List<string>();
            long total = 0;
            if (includePending)
            {
                for (var i = 0; i < _items.Count; i++)
                {
                    if (_items[i].Customer != customer || _items[i].Invoice is not null || _items[i].Currency != currency) continue;
                    _items[i] = _items[i] with { Invoice = id };
                    pulled.Add(_items[i].Id);
                    total += _items[i].Amount;
                }
            }
            var invoice = new FakeInvoice(id, customer, "draft", currency, total, total, metadata, null, autoAdvance,
                collectionMethod, daysUntilDue, pulled, Now);
            _invoices.Add(invoice);
            return invoice;
        }
    }

    public OneOf<FakeInvoice> Finalize(string id)
    {
        lock (_gate)
        {
            var index = _invoices.FindIndex(i => i.Id == id);
            if (index < 0) return FakeStripeError.NoSuch("invoice", id, "invoice");
            var invoice = _invoices[index];
            if (invoice.Status != "draft")
                return new FakeStripeError(400, "invalid_request_error",
                    "This invoice is already finalized, you can't re-finalize a non-draft invoice.", "invoice_not_editable");
            // As Stripe does: an invoice with nothing to pay is paid the moment it is finalized.
            var status = invoice.AmountDue == 0 ? "paid" : "open";
            var number = $"{_numberPrefix}-{_nextNumber++:D4}";
            return _invoices[index] = invoice with { Status = status, Number = number, AmountDue = status == "paid" ? 0 : invoice.AmountDue };
        }
    }

    public bool SetTotal(string id, long total)
    {
        lock (_gate)
        {
            var index = _invoices.FindIndex(i => i.Id == id);
            if (index < 0) return false;
            var invoice = _invoices[index];
            _invoices[index] = invoice with { Total = total, AmountDue = invoice.Status == "paid" ? 0 : total };
            return true;
        }
    }
}

/// <summary>Either a value or the Stripe error that prevented it.</summary>
internal readonly record struct OneOf<T>(T? Value, FakeStripeError? Error) where T : class
{
    public static implicit operator OneOf<T>(T value) => new(value, null);

    public static implicit operator OneOf<T>(FakeStripeError error) => new(null, error);
}
