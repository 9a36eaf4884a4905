namespace Billing.Ledger;

/// <summary>
/// Result of one reconciliation. Serialized with <see cref="LedgerJson.Options"/> it reads
/// <c>{"status":"clean","accounts_checked":N,"drift_count":0,...}</c>.
/// </summary>
public sealed record ReconcileReport(
    string Status,
    int AccountsChecked,
    int InvoicesChecked,
    int DriftCount,
    IReadOnlyList<Drift> Drifts,
    IReadOnlyList<AcceptableDifference> Acceptable)
{
    public const string Clean = "clean";
    public const string DriftStatus = "drift";

    /// <summary>The summary alone, for the endpoint without <c>detail=true</c>.</summary>
    public ReconcileReport WithoutDetail() => this with { Drifts = [], Acceptable = [] };
}
