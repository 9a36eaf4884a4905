namespace Billing.Invoicing.Infrastructure;

/// <summary>An invoice of a cancelled run was refused at commit: nothing stored, no number taken.</summary>
public sealed class RunCancelledException(Guid runId) : Exception($"run {runId} was cancelled; no invoice is issued for it")
{
    public Guid RunId { get; } = runId;
}
