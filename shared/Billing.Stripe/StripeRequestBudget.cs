using Npgsql;

namespace Billing.Stripe;

/// <summary>
/// The Stripe request budget of the whole deployment: every process that calls Stripe takes a slot from one row of
/// <c>rate_budgets</c> in PostgreSQL (<c>take_rate_slot</c>, migration 0021) before each attempt, so all replicas
/// together send at most <c>requestsPerSecond</c> requests in any second, however many run. One round trip per
/// request; the wait for a slot is spent here, in the process, not in the database.
/// </summary>
public sealed class StripeRequestBudget : IStripeRateLimiter
{
    /// <summary>The budget's row: one Stripe account per deployment.</summary>
    public const string DefaultName = "stripe";

    /// <summary>
    /// The part of each second its slots fill; the rest is a gap, so a request that reaches Stripe up to 500 ms after
    /// its slot (a process's first requests, while its HTTP stack warms up) still lands in its own second there. Any
    /// one-second window, aligned or not, still holds at most the budget.
    /// </summary>
    public const double Spread = 0.5;

    private readonly NpgsqlDataSource _dataSource;
    private readonly int _requestsPerSecond;
    private readonly string _name;
    private readonly TimeProvider _time;

    public StripeRequestBudget(NpgsqlDataSource dataSource, int requestsPerSecond, TimeProvider? time = null, string name = DefaultName)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (requestsPerSecond is < 1 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(requestsPerSecond), requestsPerSecond, $"Stripe__RequestsPerSecond {StripeOptions.RequestsPerSecondRule}.");
        _dataSource = dataSource;
        _requestsPerSecond = requestsPerSecond;
        _name = name;
        _time = time ?? TimeProvider.System;
    }

    public int RequestsPerSecond => _requestsPerSecond;

    /// <summary>
    /// The part of the budget handed out as slots: nine tenths of it (at least one). A request can still reach Stripe
    /// later than its slot (a pause of the process between the slot and the socket), and then counts in the next
    /// second; the tenth kept back absorbs those, so Stripe sees at most the budget in any second.
    /// </summary>
    public const double Margin = 0.9;

    /// <summary>Slots handed out per second: <see cref="Margin"/> of the budget, at least one.</summary>
    public int SlotsPerSecond => Math.Max(1, (int)Math.Floor(_requestsPerSecond * Margin));

    /// <summary>
    /// How late a slot may still be used. A request that reaches its slot later than this (a busy thread pool, a
    /// pause) takes a new one rather than land in the next second on top of that second's own slots.
    /// </summary>
    public static readonly TimeSpan MaxLateness = TimeSpan.FromMilliseconds(100);

    /// <summary>Takes the next slot of the budget and waits until its time (the database's clock decides the slot).</summary>
    public async ValueTask AcquireAsync(CancellationToken ct = default)
    {
        while (true)
        {
            // The database read its clock somewhere between the question and the answer: the wait counts from the
            // answer, so a request never goes early, and lateness from the question, so a slow answer counts as late.
            var asked = _time.GetTimestamp();
            var wait = await TakeSlotAsync(ct).ConfigureAwait(false);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            // A slot given up by a cancelled or late caller stays unused: the budget errs on the side of fewer requests.
            if (_time.GetElapsedTime(asked) - wait <= MaxLateness) return;
        }
    }

    /// <summary>Takes the next slot and returns how long until it (zero: now).</summary>
    public async Task<TimeSpan> TakeSlotAsync(CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand("select take_rate_slot($1, $2, $3)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = _name });
        cmd.Parameters.Add(new NpgsqlParameter { Value = SlotsPerSecond });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Spread });
        var seconds = Convert.ToDouble(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        // Timers count whole milliseconds and cut the rest off: rounded up, plus one, so a slot at the start of a
        // second is never used in the last instant of the one before.
        return seconds > 0 ? TimeSpan.FromMilliseconds(Math.Ceiling(seconds * 1000) + 1) : TimeSpan.Zero;
    }
}
