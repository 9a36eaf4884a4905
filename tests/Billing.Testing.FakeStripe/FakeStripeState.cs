namespace Billing.Testing.FakeStripe;

/// <summary>The fake's objects. One lock guards all of them: a test server needs correctness, not throughput.</summary>
internal sealed partial class FakeStripeState(TimeProvider time)
{
    private readonly Lock _gate = new();
    // Keyed by id for O(1) look-ups during large runs; the lists keep creation order for inspection.
    private readonly Dictionary<string, FakeCustomer> _customers = [];
    private readonly Dictionary<string, FakeInvoiceItem> _items = [];
    private readonly Dictionary<string, FakeInvoice> _invoices = [];
    private readonly List<string> _customerOrder = [];
    private readonly List<string> _itemOrder = [];
    private readonly List<string> _invoiceOrder = [];
    // Stripe numbers invoices PREFIX-0001 with a prefix per account; one prefix per fake server will do.
    private readonly string _numberPrefix = FakeIds.New("x")[2..10].ToUpperInvariant();
    private int _nextNumber = 1;

    public IReadOnlyList<FakeCustomer> Customers { get { lock (_gate) return [.. _customerOrder.Select(id => _customers[id])]; } }

    public IReadOnlyList<FakeInvoiceItem> Items { get { lock (_gate) return [.. _itemOrder.Select(id => _items[id])]; } }

    public IReadOnlyList<FakeInvoice> Invoices { get { lock (_gate) return [.. _invoiceOrder.Select(id => _invoices[id])]; } }

    private long Now => time.GetUtcNow().ToUnixTimeSeconds();

    public FakeCustomer AddCustomer(string? name, string? email, IReadOnlyDictionary<string, string> metadata)
    {
        var customer = new FakeCustomer(FakeIds.New("cus"), name, email, metadata, Now);
        lock (_gate)
        {
            _customers.Add(customer.Id, customer);
            _customerOrder.Add(customer.Id);
        }
        return customer;
    }

    public FakeCustomer? FindCustomer(string id)
    {
        lock (_gate) return _customers.GetValueOrDefault(id);
    }

    public FakeInvoice? FindInvoice(string id)
    {
        lock (_gate) return _invoices.GetValueOrDefault(id);
    }

    public IReadOnlyList<FakeInvoiceItem> ItemsOf(FakeInvoice invoice)
    {
        lock (_gate) return [.. invoice.ItemIds.Select(id => _items[id])];
    }

    public OneOf<FakeInvoiceItem> AddItem(string customer, string? invoiceId, long amount, string currency, string? description,
        IReadOnlyDictionary<string, string> metadata)
    {
        lock (_gate)
        {
            if (!_customers.ContainsKey(customer)) return FakeStripeError.NoSuch("customer", customer, "customer");
            var item = new FakeInvoiceItem(FakeIds.New("ii"), customer, invoiceId, amount, currency, description, metadata, Now);
            if (invoiceId is not null)
            {
                if (!_invoices.TryGetValue(invoiceId, out var invoice)) return FakeStripeError.NoSuch("invoice", invoiceId, "invoice");
                if (invoice.Customer != customer)
                    return FakeStripeError.Invalid("invoice", $"Invoice {invoiceId} belongs to another customer.");
                if (invoice.Status != "draft")
                    return new FakeStripeError(400, "invalid_request_error",
                        $"You can only add invoice items to draft invoices; {invoiceId} is {invoice.Status}.", "invoice_not_editable", "invoice");
                if (invoice.Currency != currency)
                    return FakeStripeError.Invalid("currency",
                        $"The currency of the invoice item ({currency}) must match the invoice's currency ({invoice.Currency}).");
                _invoices[invoiceId] = invoice with { ItemIds = [.. invoice.ItemIds, item.Id], Total = invoice.Total + amount, AmountDue = invoice.AmountDue + amount };
            }
            _items.Add(item.Id, item);
            _itemOrder.Add(item.Id);
            return item;
        }
    }

    public OneOf<FakeInvoice> AddInvoice(string customer, string currency, bool autoAdvance, string collectionMethod,
        long? daysUntilDue, bool includePending, IReadOnlyDictionary<string, string> metadata, long? dueDate = null)
    {
        lock (_gate)
        {
            if (!_customers.ContainsKey(customer)) return FakeStripeError.NoSuch("customer", customer, "customer");
            var id = FakeIds.New("in");
            var pulled = new List<string>();
            long total = 0;
            if (includePending)
            {
                // A scan, but only for "include", which Billing's client never asks for.
                foreach (var itemId in _itemOrder)
                {
                    var item = _items[itemId];
                    if (item.Customer != customer || item.Invoice is not null || item.Currency != currency) continue;
                    _items[itemId] = item with { Invoice = id };
                    pulled.Add(itemId);
                    total += item.Amount;
                }
            }
            var invoice = new FakeInvoice(id, customer, "draft", currency, total, total, metadata, null, autoAdvance,
                collectionMethod, daysUntilDue, pulled, Now, dueDate);
            _invoices.Add(id, invoice);
            _invoiceOrder.Add(id);
            return invoice;
        }
    }

    public OneOf<FakeInvoice> Finalize(string id)
    {
        lock (_gate)
        {
            if (!_invoices.TryGetValue(id, out var invoice)) return FakeStripeError.NoSuch("invoice", id, "invoice");
            if (invoice.Status != "draft")
                return new FakeStripeError(400, "invalid_request_error",
                    "This invoice is already finalized, you can't re-finalize a non-draft invoice.", "invoice_not_editable");
            // As Stripe does: an invoice with nothing to pay is paid the moment it is finalized.
            var status = invoice.AmountDue == 0 ? "paid" : "open";
            var number = $"{_numberPrefix}-{_nextNumber++:D4}";
            return _invoices[id] = invoice with { Status = status, Number = number, AmountDue = status == "paid" ? 0 : invoice.AmountDue };
        }
    }

    private readonly List<FakeInvoicePayment> _payments = [];

    public IReadOnlyList<FakeInvoicePayment> Payments { get { lock (_gate) return [.. _payments]; } }

    /// <summary>The customer pays what is due (as the hosted invoice page would): open → paid, through a payment intent.</summary>
    public FakeInvoicePayment? MarkPaid(string id)
    {
        lock (_gate)
        {
            if (!_invoices.TryGetValue(id, out var invoice) || invoice.Status != "open") return null;
            _invoices[id] = invoice with { Status = "paid", AmountDue = 0 };
            var payment = new FakeInvoicePayment(FakeIds.New("inpay"), id, FakeIds.New("pi"), FakeIds.New("ch"), invoice.AmountDue, invoice.Currency, Now);
            _payments.Add(payment);
            return payment;
        }
    }

    public bool SetTotal(string id, long total)
    {
        lock (_gate)
        {
            if (!_invoices.TryGetValue(id, out var invoice)) return false;
            _invoices[id] = invoice with { Total = total, AmountDue = invoice.Status == "paid" ? 0 : total };
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
