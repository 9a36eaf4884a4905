-- Invoice emails: one row per delivery of an invoice email (the first one, then one per operator resend) and the
-- addresses never to write to. The mailer claims a delivery (state sending) before it talks to the SMTP server and
-- marks it accepted right after the server accepted the message, so a redelivered message never sends again.
create table email_deliveries (
    invoice_id    uuid not null references invoices(id),
    -- 1 = the initial email, 2.. = resends in the order they were asked for
    delivery_no   int not null check (delivery_no >= 1),
    reason        text not null check (reason in ('initial', 'resend')),
    -- pending: a resend waiting for its PDF to be re-rendered
    state         text not null check (state in ('pending', 'sending', 'accepted', 'suppressed', 'invalid_address',
                                                 'missing_pdf', 'failed')),
    attempt_count int not null default 0 check (attempt_count >= 0),
    message_id    text,
    pdf_sha256    text,
    recipient     text,
    accepted_at   timestamptz,
    error         text,
    -- the resend request this delivery fulfils; a redelivered request finds its row instead of adding one
    request_id    uuid unique,
    requested_by  text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    primary key (invoice_id, delivery_no),
    check ((reason = 'initial') = (delivery_no = 1))
);
create index email_deliveries_pending on email_deliveries (invoice_id) where state = 'pending';

create table email_suppressions (
    email       text primary key check (email = lower(email) and length(email) between 3 and 320),
    reason      text not null check (reason in ('unsubscribed', 'hard_bounce', 'manual')),
    note        text check (note is null or length(note) <= 1000),
    created_at  timestamptz not null default now()
);
