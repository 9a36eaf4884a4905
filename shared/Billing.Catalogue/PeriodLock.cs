namespace Billing.Catalogue;

/// <summary>
/// A period closes for an account once an invoice exists for (account, period) or any invoice run for the
/// period exists. Writers of usage and charges hold the period's advisory lock SHARED while they check and
/// insert; whoever inserts an <c>invoice_runs</c> row should hold it EXCLUSIVE in that transaction
/// (<see cref="ExclusiveSql"/>). Then every usage write either commits before the run exists (and the run sees
/// it) or waits and sees the run (and is refused): no usage is accepted and then left off its invoice.
/// </summary>
public static class PeriodLock
{
    /// <summary>For the transaction that starts a run; parameter <c>@Period</c> ("2026-10").</summary>
    public const string ExclusiveSql = "select pg_advisory_xact_lock(hashtextextended('billing-period:' || @Period, 0))";

    /// <summary>For usage and charge writers; parameter <c>@Periods</c> (text[]), taken in sorted order.</summary>
    internal const string SharedSql = """
        select pg_advisory_xact_lock_shared(hashtextextended('billing-period:' || p, 0))
        from unnest(@Periods::text[]) as p order by p
        """;

    /// <summary>Rows (account_id, period, reason) for the pairs that are closed; parameters <c>@Accounts</c>, <c>@Periods</c>.</summary>
    internal const string ClosedSql = """
        select x.account_id as AccountId, x.period as Period,
               coalesce('invoice ' || i.number || ' already exists for this account and period',
                        'invoice run ' || r.id || ' for ' || x.period || ' started at ' || to_char(r.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) as Reason
        from unnest(@Accounts::uuid[], @Periods::text[]) as x(account_id, period)
        left join invoices i on i.account_id = x.account_id and i.period = x.period::char(7)
        left join lateral (select id, started_at from invoice_runs r where r.period = x.period::char(7) order by started_at limit 1) r on true
        where i.id is not null or r.id is not null
        """;

    internal sealed record Closed(Guid AccountId, string Period, string Reason);
}
