-- Credit notes and voids. A credit note gives back part (or all) of an invoice: its own gapless number series per
-- issuer, its own PDF, email, journal entry and Stripe credit note. Amounts are integer minor units; the total never
-- exceeds what is left to credit on its invoice (checked under the invoice row's lock by the writer).
create table credit_note_sequences (
    issuer      text primary key,
    prefix      text not null,
    next_value  bigint not null default 1
);

create table credit_notes (
    id                     uuid primary key,
    invoice_id             uuid not null references invoices(id),
    account_id             uuid not null references accounts(id),
    issuer                 text not null,
    number                 text not null,
    reason                 text not null check (reason in ('overcharge', 'duplicate_usage', 'goodwill', 'other')),
    memo                   text,
    currency               char(3) not null,
    subtotal_minor         bigint not null check (subtotal_minor >= 0),
    tax_minor              bigint not null check (tax_minor >= 0),
    total_minor            bigint not null check (total_minor > 0),
    issued_at              timestamptz not null default now(),
    requested_by           text,
    trace_id               text,
    pdf_key                text,
    pdf_sha256             text,
    pdf_size               bigint,
    pdf_rendered_at        timestamptz,
    -- one email per credit note: pending → sending → sent (or not sent: suppressed, invalid_address, missing_pdf, failed)
    email_status           text not null default 'pending'
        check (email_status in ('pending', 'sending', 'sent', 'suppressed', 'invalid_address', 'missing_pdf', 'failed')),
    email_message_id       text,
    email_recipient        text,
    email_error            text,
    emailed_at             timestamptz,
    journal_entry_id       uuid,
    synced_at              timestamptz,
    stripe_credit_note_id  text,
    stripe_pushed_at       timestamptz,
    created_at             timestamptz not null default now(),
    check (subtotal_minor + tax_minor = total_minor),
    unique (issuer, number)
);
create index credit_notes_invoice on credit_notes (invoice_id);

create table credit_note_lines (
    credit_note_id  uuid not null references credit_notes(id),
    line_no         int not null check (line_no > 0),
    description     text not null,
    quantity        numeric(30,12) not null,
    unit_price      numeric(30,12) not null,
    amount_minor    bigint not null,
    primary key (credit_note_id, line_no)
);

-- A void reverses an unpaid invoice: who and when, and when the ledger and Stripe confirmed it.
alter table invoices
    add column voided_at         timestamptz,
    add column voided_by         text,
    add column void_synced_at    timestamptz,
    add column stripe_voided_at  timestamptz;

-- One balanced entry per source document also for credit notes (source id = credit note id) and voids (source id =
-- invoice id: an invoice is voided once).
alter table journal_entries drop constraint journal_entries_source_type_check;
alter table journal_entries add constraint journal_entries_source_type_check
    check (source_type in ('invoice', 'payment', 'refund', 'dispute', 'credit_note', 'void'));
