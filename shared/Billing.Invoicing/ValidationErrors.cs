using System.Collections;

namespace Billing.Invoicing;

/// <summary>Collects every problem of an input before failing, so a caller fixes them in one go.</summary>
public sealed class ValidationErrors : IReadOnlyList<ValidationError>
{
    private readonly List<ValidationError> _errors = [];

    public int Count => _errors.Count;
    public bool IsValid => _errors.Count == 0;
    public ValidationError this[int index] => _errors[index];

    public void Add(string field, string message) => _errors.Add(new ValidationError(field, message));

    public void AddRange(IEnumerable<ValidationError> errors) => _errors.AddRange(errors);

    public void ThrowIfAny()
    {
        if (_errors.Count > 0) throw new DomainValidationException(_errors);
    }

    public IEnumerator<ValidationError> GetEnumerator() => _errors.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
