create table invoice_runs (
    id            uuid primary key,
    period        char(7) not null,
    status        text not null default 'running' check (status in ('running', 'completed')),
    accounts      int,
    requested_by  text,
    trace_id      text,
    started_at    timestamptz not null default now(),
    fanned_out_at timestamptz,
    completed_at  timestamptz
);
-- At most one running run per period.
create unique index invoice_runs_one_running on invoice_runs (period) where status = 'running';

create table invoice_number_sequences (
    issuer      text primary key,
    prefix      text not null,
    next_value  bigint not null default 1
);

create table invoices (
    id                  uuid primary key,
    run_id              uuid references invoice_runs(id),
    account_id          uuid not null references accounts(id),
    period              char(7) not null,
    issuer              text not null,
    number              text not null,
    currency            char(3) not null,
    subtotal_minor      bigint not null,
    tax_rate            numeric(9,4) not null,
    tax_minor           bigint not null,
    total_minor         bigint not null,
    -- payment status follows Stripe's: open, paid, uncollectible, void
    status              text not null default 'open' check (status in ('open', 'paid', 'uncollectible', 'void')),
    issued_at           timestamptz not null default now(),
    due_at              date not null,
    trace_id            text,
    stripe_customer_id  text,
    stripe_invoice_id   text,
    pdf_key             text,
    pdf_sha256          text,
    pdf_size            bigint,
    pdf_rendered_at     timestamptz,
    -- pending, sent, suppressed, invalid_address, missing_pdf, failed
    email_status        text not null default 'pending',
    emailed_at          timestamptz,
    synced_at           timestamptz,
    journal_entry_id    uuid,
    created_at          timestamptz not null default now(),
    unique (account_id, period),
    unique (issuer, number)
);
create index invoices_run on invoices (run_id);

create table invoice_lines (
    invoice_id    uuid not null references invoices(id) on delete cascade,
    line_no       int not null,
    -- base_fee, usage, tier, charge
    kind          text not null,
    component     text,
    description   text not null,
    quantity      numeric(30,12) not null,
    unit_price    numeric(30,12) not null,
    amount_minor  bigint not null,
    -- tier breakdown lines point at the usage line they explain and are not added to the subtotal twice
    parent_line_no int,
    primary key (invoice_id, line_no)
);

-- Failed or skipped invoice requests of a run, with the reason; retried by POST /api/runs/{id}/retry-failed.
create table run_accounts (
    run_id      uuid not null references invoice_runs(id),
    account_id  uuid not null references accounts(id),
    -- generated, skipped, failed
    state       text not null,
    reason      text,
    updated_at  timestamptz not null default now(),
    primary key (run_id, account_id)
);
