-- Request budgets shared by every process of the deployment. Stripe limits requests per account (25/s in test mode,
-- 100/s live), not per process, so replicas that each kept their own limit would together exceed it. Before each
-- Stripe request a process takes a slot with take_rate_slot (Billing.Stripe's StripeRequestBudget): one row per
-- budget, locked for the few microseconds of the call, so all replicas together take at most p_per_second slots in
-- any second of the database's clock.
--
-- A slot is a time: slot n of second s is at s + n * p_spread / p_per_second, so a second's slots fill its first
-- p_spread part and the rest of it is a gap. A request sent a little late (scheduling, the network) still lands in
-- its own second, and any one-second window, aligned or not, holds at most p_per_second slots.
create table rate_budgets (
    name    text primary key,
    second  bigint not null,     -- the unix second whose slots are being handed out (or a later one)
    used    integer not null,    -- the next free slot of that second
    check (used >= 0)
);

-- Takes the next free slot of budget p_name and returns the seconds to wait until it (zero or less: send now).
-- A slot whose time has passed is never handed out, so a quiet spell does not save up a burst.
create function take_rate_slot(p_name text, p_per_second integer, p_spread double precision)
returns double precision
language plpgsql
as $$
declare
    now_e double precision;
    now_s bigint;
    step  double precision;
    s     bigint;
    n     integer;
begin
    if p_per_second is null or p_per_second < 1 or p_spread is null or p_spread <= 0 or p_spread > 1 then
        raise exception 'take_rate_slot: per_second must be at least 1 and spread in (0, 1], got % and %', p_per_second, p_spread;
    end if;
    step := p_spread / p_per_second;
    insert into rate_budgets (name, second, used) values (p_name, 0, 0) on conflict (name) do nothing;
    select b.second, b.used into s, n from rate_budgets b where b.name = p_name for update;
    -- The clock once the row is ours: waiting for another caller's lock does not make this slot early.
    now_e := extract(epoch from clock_timestamp());
    now_s := floor(now_e);
    if s < now_s then
        s := now_s;
        n := 0;
    end if;
    if s = now_s then
        n := greatest(n, floor((now_e - now_s) / step)::integer);
    end if;
    if n >= p_per_second then
        s := s + 1;
        n := 0;
    end if;
    update rate_budgets set second = s, used = n + 1 where name = p_name;
    return s + n * step - now_e;
end
$$;
