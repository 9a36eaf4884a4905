-- Redrives asked for through the admin API and executed by the redrive service. The API inserts a queued row; a
-- service instance claims it (FOR UPDATE SKIP LOCKED), writes progress after every batch and a heartbeat while it
-- runs, so a job whose service died (heartbeat too old) can be claimed again and finished.
create table redrive_jobs (
    id                uuid primary key,
    queue             text not null,
    filter            jsonb not null default '{}'::jsonb,
    rate              double precision check (rate is null or rate > 0),
    batch_size        integer check (batch_size is null or batch_size between 1 and 10000),
    max_messages      integer check (max_messages is null or max_messages > 0),
    requested_by      text not null,
    state             text not null default 'queued' check (state in ('queued', 'running', 'completed', 'cancelled', 'failed')),
    cancel_requested  boolean not null default false,
    total             bigint not null default 0 check (total >= 0),
    moved             bigint not null default 0 check (moved >= 0),
    skipped           bigint not null default 0 check (skipped >= 0),
    failed            bigint not null default 0 check (failed >= 0),
    parked            bigint not null default 0 check (parked >= 0),
    attempts          integer not null default 0,
    claimed_by        text,
    heartbeat_at      timestamptz,
    created_at        timestamptz not null default now(),
    started_at        timestamptz,
    completed_at      timestamptz,
    error             text
);
create index redrive_jobs_claimable on redrive_jobs (created_at) where state in ('queued', 'running');
create index redrive_jobs_queue_created on redrive_jobs (queue, created_at desc);
