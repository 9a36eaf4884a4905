using Billing.Invoicing;

namespace Billing.Catalogue;

/// <summary>A row of <c>plans</c>; <see cref="Components"/> is <c>plans.components</c> as
/// <see cref="PlanComponentsJson"/> reads it.</summary>
public sealed record Plan(
    Guid Id, string Code, string Name, string Currency, long BaseFeeMinor,
    IReadOnlyList<MeteredComponent> Components, DateTime CreatedAt)
{
    public PlanDefinition ToDefinition() => new()
    {
        Code = Code, Name = Name, Currency = Currency, BaseFeeMinor = BaseFeeMinor, Components = Components,
    };
}
