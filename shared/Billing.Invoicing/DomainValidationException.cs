namespace Billing.Invoicing;

/// <summary>Input that can never succeed. Not worth retrying: API layers map it to a 400
/// problem+json naming <see cref="Field"/>, consumers send it straight to the error log.</summary>
public sealed class DomainValidationException : Exception
{
    public DomainValidationException(string field, string message)
        : this([new ValidationError(field, message)])
    {
    }

    public DomainValidationException(IReadOnlyList<ValidationError> errors)
        : base(errors.Count == 0 ? "invalid input" : string.Join("; ", errors))
    {
        Errors = errors.Count == 0 ? [new ValidationError("", "invalid input")] : errors.ToArray();
    }

    /// <summary>Every problem found; never empty.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    /// <summary>The first offending field.</summary>
    public string Field => Errors[0].Field;

    /// <summary>The first problem without its field.</summary>
    public string Reason => Errors[0].Message;
}
