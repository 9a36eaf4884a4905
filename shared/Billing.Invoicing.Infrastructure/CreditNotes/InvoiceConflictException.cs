namespace Billing.Invoicing.Infrastructure.CreditNotes;

/// <summary>The invoice's state forbids the change (void, paid, already credited): HTTP 409 naming the field.</summary>
public sealed class InvoiceConflictException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>No invoice (or credit note) with that id: HTTP 404.</summary>
public sealed class DocumentNotFoundException(string message) : Exception(message);
