-- Plans, accounts and what they consume. Money is integer minor units; unit prices keep up to 12 decimals.
create table plans (
    id              uuid primary key,
    code            text not null unique,
    name            text not null,
    currency        char(3) not null,
    base_fee_minor  bigint not null default 0 check (base_fee_minor >= 0),
    -- metered components: [{"metric","description","model":"per_unit|graduated|volume|package", ...}]
    components      jsonb not null default '[]'::jsonb,
    created_at      timestamptz not null default now()
);

create table accounts (
    id                  uuid primary key,
    external_ref        text unique,
    name                text not null,
    billing_email       text not null,
    address             jsonb not null default '{}'::jsonb,
    currency            char(3) not null,
    plan_id             uuid not null references plans(id),
    tax_rate            numeric(9,4) not null default 0 check (tax_rate >= 0 and tax_rate < 100),
    stripe_customer_id  text,
    issuer              text not null default 'default',
    active              boolean not null default true,
    created_at          timestamptz not null default now()
);
create index accounts_active_id on accounts (id) where active;

create table usage_records (
    id               bigserial primary key,
    account_id       uuid not null references accounts(id),
    period           char(7) not null,
    metric           text not null,
    quantity         numeric(30,12) not null check (quantity >= 0),
    occurred_at      timestamptz not null,
    idempotency_key  text not null unique,
    created_at       timestamptz not null default now()
);
create index usage_records_account_period on usage_records (account_id, period);

-- One-off items (e.g. a managed-service job) billed with the account's invoice of that period.
create table charges (
    id               uuid primary key,
    account_id       uuid not null references accounts(id),
    period           char(7) not null,
    description      text not null,
    quantity         numeric(30,12) not null default 1 check (quantity > 0),
    unit_price       numeric(30,12) not null,
    idempotency_key  text unique,
    created_at       timestamptz not null default now()
);
create index charges_account_period on charges (account_id, period);
