-- Revenue-impacting error log (runbook: error_monitorings) and the chat alerts waiting to be delivered.
-- One row per distinct error: reports with the same fingerprint (error type + code + business key, not the
-- message) add to occurrence_count instead of adding rows.
create table error_monitorings (
    id                bigserial primary key,
    fingerprint       text not null unique,
    service           text not null,
    error_type        text not null,
    code              text not null default '',
    message           text not null,
    -- open → needs_attention → in_progress → resolved, or open → resolved (enforced in Billing.Errors)
    status            text not null default 'open'
                      check (status in ('open', 'needs_attention', 'in_progress', 'resolved')),
    issue_link        text check (issue_link is null or issue_link = '' or issue_link ~ '^https?://'),
    backtrace         text,
    payload           jsonb,
    notes             text check (notes is null or length(notes) <= 4000),
    invoice_id        uuid,
    account_id        uuid,
    run_id            uuid,
    trace_id          text,
    occurrence_count  int not null default 1 check (occurrence_count >= 1),
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    last_seen_at      timestamptz not null default now(),
    alerted_at        timestamptz,
    resolved_at       timestamptz
);
-- GET /api/errors?status= and the summaries read unresolved rows and recent ones.
create index error_monitorings_unresolved on error_monitorings (created_at) where status <> 'resolved';
create index error_monitorings_created on error_monitorings (created_at);
create index error_monitorings_last_seen on error_monitorings (last_seen_at);
create index error_monitorings_invoice on error_monitorings (invoice_id) where invoice_id is not null;
create index error_monitorings_run on error_monitorings (run_id) where run_id is not null;

-- Chat messages survive a chat outage and a restart: recording an error only inserts here, a dispatcher
-- delivers later and retries with exponential backoff. Claim due rows with FOR UPDATE SKIP LOCKED so
-- several dispatchers never post the same message twice.
create table chat_alert_outbox (
    id               bigserial primary key,
    -- new_errors, daily_summary, weekly_summary, run_started, run_completed
    kind             text not null,
    -- {"text": "..."}: the message as posted
    payload          jsonb not null,
    created_at       timestamptz not null default now(),
    attempts         int not null default 0 check (attempts >= 0),
    next_attempt_at  timestamptz not null default now(),
    sent_at          timestamptz,
    last_error       text
);
create index chat_alert_outbox_due on chat_alert_outbox (next_attempt_at, id) where sent_at is null;
