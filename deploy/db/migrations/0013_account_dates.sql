-- Accounts over time: the days an account is billed for, the plan it is on from which day, and who changed what.

-- First and last day billed (both inclusive, UTC dates); no end: billed until one is set. Existing accounts start
-- on the day they were created, which is also the default for new ones.
alter table accounts add column billing_starts_on date;
update accounts set billing_starts_on = (created_at at time zone 'UTC')::date;
alter table accounts alter column billing_starts_on set not null;
alter table accounts alter column billing_starts_on set default ((now() at time zone 'UTC')::date);
alter table accounts add column billing_ends_on date;
alter table accounts add constraint accounts_billing_dates check (billing_ends_on is null or billing_ends_on >= billing_starts_on);

-- The plan in force from each day on: the row with the latest effective_on not after the day (the first row for
-- days before it). accounts.plan_id is the plan of the latest row.
create table account_plans (
    account_id    uuid not null references accounts(id),
    effective_on  date not null,
    plan_id       uuid not null references plans(id),
    created_at    timestamptz not null default now(),
    primary key (account_id, effective_on)
);
insert into account_plans (account_id, effective_on, plan_id) select id, billing_starts_on, plan_id from accounts;

-- Every way of creating accounts (the API, COPY from tools and tests) gives the account its first plan row.
create function account_plans_first() returns trigger
language plpgsql as $$
begin
    insert into account_plans (account_id, effective_on, plan_id) select id, billing_starts_on, plan_id from created;
    return null;
end
$$;
create trigger accounts_first_plan after insert on accounts referencing new table as created
    for each statement execute function account_plans_first();

-- Who changed which field of an account, when, from what to what (values as the API shows them).
create table account_history (
    id          bigserial primary key,
    account_id  uuid not null references accounts(id),
    changed_at  timestamptz not null default now(),
    changed_by  text not null,
    field       text not null,
    old_value   text,
    new_value   text
);
create index account_history_account on account_history (account_id, id);
