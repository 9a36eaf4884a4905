-- Invoice runs: a run whose every invoice reached a terminal state but some failed waits in needs_attention
-- until the failures are retried; it still blocks a second run of the same period.
alter table invoice_runs drop constraint invoice_runs_status_check;
alter table invoice_runs add constraint invoice_runs_status_check
    check (status in ('running', 'needs_attention', 'completed'));
drop index invoice_runs_one_running;
create unique index invoice_runs_one_running on invoice_runs (period) where status in ('running', 'needs_attention');

-- One row per final failure of a stage (a Fault<T> or a failed email). A failure is open until its stage later
-- succeeds; the progress query decides that from the invoice's columns rather than updating these rows.
create table stage_failures (
    id              bigserial primary key,
    run_id          uuid not null references invoice_runs(id),
    account_id      uuid not null,
    invoice_id      uuid,
    -- generate, render, email, sync, stripe, or the message type when the stage cannot be told
    stage           text not null,
    message_type    text not null,
    -- the queue of the consumer that failed, where retry-failed sends the message again
    input_queue     text,
    exception_type  text,
    reason          text not null,
    trace_id        text,
    failed_at       timestamptz not null default now(),
    resolved_at     timestamptz
);
create index stage_failures_run on stage_failures (run_id, stage);

-- When the Stripe push finished (invoice finalized in Stripe).
alter table invoices add column stripe_pushed_at timestamptz;
