using Billing.Invoicing;

namespace Billing.Catalogue;

/// <summary>The request is well formed but clashes with what is stored (a taken plan code, a closed period):
/// HTTP 409 naming the field. Nothing was written.</summary>
public sealed class CatalogueConflictException(string title, string field, string message) : Exception(message)
{
    public CatalogueConflictException(string title, IReadOnlyList<ValidationError> errors)
        : this(title, errors[0].Field, errors[0].Message) => Errors = errors;

    public string Title { get; } = title;
    public IReadOnlyList<ValidationError> Errors { get; } = [new(field, message)];
}

/// <summary>The plan or account named in the path does not exist: HTTP 404.</summary>
public sealed class CatalogueNotFoundException(string message) : Exception(message);
