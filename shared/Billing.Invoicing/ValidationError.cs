namespace Billing.Invoicing;

/// <summary>One problem with the input. <see cref="Field"/> is a snake_case path such as
/// <c>components[1].tiers[2].up_to</c>, so an API can name it in problem+json.</summary>
public sealed record ValidationError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
