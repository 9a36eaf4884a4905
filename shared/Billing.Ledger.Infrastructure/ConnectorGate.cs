using Billing.Ledger;

namespace Billing.Ledger.Infrastructure;

/// <summary>
/// The outbound accounting connector, when one is configured (<c>Accounting__ConnectorDirectory</c> for the file
/// journal an accounting tool such as QuickBooks, Xero or NetSuite imports). Posting looks the entry up first,
/// so a redelivered message never sends it twice.
/// </summary>
public sealed class ConnectorGate(IAccountingConnector? connector)
{
    public IAccountingConnector? Connector => connector;

    public async Task PublishAsync(JournalEntry entry, CancellationToken ct)
    {
        if (connector is not null)
            await ConnectorPublisher.PublishAsync(connector, entry, ct);
    }
}
