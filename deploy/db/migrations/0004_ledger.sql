-- Double-entry ledger, Stripe webhook log and reconciliation results.
-- Amounts are integer minor units. The ledger is append-only: a correction is a new entry, never an update.

-- One balanced entry per source document: (source_type, source_id) is the deterministic key, so a redelivered
-- message conflicts on insert instead of posting twice. id is derived from the same key by the application.
create table journal_entries (
    id           uuid primary key,
    source_type  text not null check (source_type in ('invoice', 'payment', 'refund', 'dispute')),
    -- invoice id, Stripe event id, refund id or dispute id
    source_id    text not null,
    invoice_id   uuid references invoices(id),
    account_id   uuid references accounts(id),
    currency     char(3) not null check (currency ~ '^[A-Z]{3}$'),
    posted_at    timestamptz not null,
    trace_id     text,
    created_at   timestamptz not null default now(),
    unique (source_type, source_id)
);
-- Reconciliation reads the invoice entry of each invoice; payments, refunds and disputes are found by invoice too.
create index journal_entries_invoice on journal_entries (invoice_id, source_type);
create index journal_entries_account on journal_entries (account_id);
-- Month-end summaries and exports select by posting time.
create index journal_entries_posted_at on journal_entries (posted_at);

create table journal_lines (
    entry_id        uuid not null references journal_entries(id) on delete cascade,
    line_no         int not null check (line_no > 0),
    -- chart of accounts: accounts_receivable, cash, revenue:subscription, revenue:usage:{metric},
    -- revenue:services, tax_payable, contra_revenue:refunds, dispute_losses
    ledger_account  text not null check (ledger_account <> ''),
    debit_minor     bigint not null default 0,
    credit_minor    bigint not null default 0,
    description     text not null default '',
    primary key (entry_id, line_no),
    -- one side per line: neither side negative, not both positive (0/0 only for a zero invoice)
    constraint journal_lines_one_side check (debit_minor >= 0 and credit_minor >= 0 and not (debit_minor > 0 and credit_minor > 0))
);
create index journal_lines_account on journal_lines (ledger_account);

-- Debits must equal credits per entry. Checked at commit (deferred) because an entry and its lines are inserted
-- by separate statements; one indexed lookup per row, cheap next to the insert itself.
create function journal_entry_must_balance() returns trigger
language plpgsql as $$
declare
    target   uuid;
    n_lines  bigint;
    debits   numeric;
    credits  numeric;
begin
    if tg_table_name = 'journal_entries' then
        target := new.id;
    elsif tg_op = 'DELETE' then
        target := old.entry_id;
    else
        target := new.entry_id;
    end if;
    -- The whole entry was deleted in this transaction: nothing is left to balance.
    if not exists (select 1 from journal_entries where id = target) then
        return null;
    end if;
    select count(*), coalesce(sum(debit_minor), 0), coalesce(sum(credit_minor), 0)
      into n_lines, debits, credits
      from journal_lines where entry_id = target;
    if n_lines = 0 then
        raise exception 'journal entry % has no lines', target using errcode = 'check_violation';
    end if;
    if debits <> credits then
        raise exception 'journal entry % is unbalanced: debits % <> credits %', target, debits, credits
            using errcode = 'check_violation';
    end if;
    return null;
end $$;

create constraint trigger journal_entries_balanced
    after insert on journal_entries
    deferrable initially deferred
    for each row execute function journal_entry_must_balance();

create constraint trigger journal_lines_balanced
    after insert or delete on journal_lines
    deferrable initially deferred
    for each row execute function journal_entry_must_balance();

-- Posted lines never change; an update could also move a line between entries unseen by the balance check.
create function journal_lines_are_immutable() returns trigger
language plpgsql as $$
begin
    raise exception 'journal lines are append-only: post a correcting entry instead' using errcode = 'check_violation';
end $$;

create trigger journal_lines_no_update
    before update on journal_lines
    for each row execute function journal_lines_are_immutable();

-- Every verified Stripe webhook, keyed by Stripe's event id so a redelivered event is recognised.
create table stripe_events (
    id            text primary key,
    type          text not null,
    payload       jsonb not null,
    received_at   timestamptz not null default now(),
    processed_at  timestamptz,
    -- posted, ignored, duplicate, refused (a rule violation: see reason), failed
    outcome       text,
    reason        text,
    trace_id      text
);
create index stripe_events_unprocessed on stripe_events (received_at) where processed_at is null;

create table reconciliation_runs (
    id                uuid primary key,
    started_at        timestamptz not null default now(),
    completed_at      timestamptz,
    status            text not null default 'running' check (status in ('running', 'clean', 'drift', 'failed')),
    accounts_checked  int,
    drift_count       int,
    report            jsonb,
    trace_id          text
);
-- The daily audit and /admin/reconcile read the latest runs.
create index reconciliation_runs_started on reconciliation_runs (started_at desc);

create table reconciliation_drifts (
    id          bigserial primary key,
    run_id      uuid not null references reconciliation_runs(id) on delete cascade,
    kind        text not null check (kind in ('missing_in_ledger', 'ledger_amount_mismatch', 'missing_in_stripe',
                                              'stripe_amount_mismatch', 'status_mismatch', 'emailed_not_synced')),
    invoice_id  uuid not null,
    account_id  uuid not null,
    -- amounts in minor units or statuses, as text because a drift may compare either
    expected    text,
    actual      text,
    detail      text not null,
    created_at  timestamptz not null default now()
);
create index reconciliation_drifts_run on reconciliation_drifts (run_id);
-- "Has this invoice drifted before?" when triaging.
create index reconciliation_drifts_invoice on reconciliation_drifts (invoice_id, created_at);
