namespace Billing.Testing.FakeStripe;

/// <summary>
/// Stripe's idempotency rules: a key first used with some parameters replays that response afterwards, is
/// refused with other parameters, and answers 409 while the first request is still running. Only successful
/// responses are kept, as Stripe keeps none for requests rejected before they ran.
/// </summary>
internal sealed class FakeIdempotency
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = [];

    public Decision Begin(string key, string fingerprint)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = new Entry(fingerprint, null);
                return new Decision(DecisionKind.Proceed, null);
            }
            if (entry.Fingerprint != fingerprint) return new Decision(DecisionKind.Mismatch, null);
            return entry.Response is null ? new Decision(DecisionKind.InFlight, null) : new Decision(DecisionKind.Replay, entry.Response);
        }
    }

    public void Complete(string key, StoredResponse? response)
    {
        lock (_gate)
        {
            if (response is null) _entries.Remove(key);
            else _entries[key] = _entries[key] with { Response = response };
        }
    }

    private sealed record Entry(string Fingerprint, StoredResponse? Response);
}

internal enum DecisionKind { Proceed, Replay, Mismatch, InFlight }

internal sealed record Decision(DecisionKind Kind, StoredResponse? Response);

internal sealed record StoredResponse(int Status, string ContentType, byte[] Body);
