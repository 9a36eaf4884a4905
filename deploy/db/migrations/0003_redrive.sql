-- Audit log of every operator action on dead-letter queues: who, when, which filter, dry run or not, and what moved.
-- One row per action, written when it ends (also when it was cancelled or failed half-way).
create table redrive_audit (
    id            uuid primary key,
    action        text not null check (action in ('redrive', 'archive', 'restore', 'purge')),
    queue         text not null,
    requested_by  text not null,
    filter        jsonb not null default '{}'::jsonb,
    dry_run       boolean not null,
    rate          double precision,
    total         bigint not null default 0 check (total >= 0),
    moved         bigint not null default 0 check (moved >= 0),
    skipped       bigint not null default 0 check (skipped >= 0),
    failed        bigint not null default 0 check (failed >= 0),
    parked        bigint not null default 0 check (parked >= 0),
    outcome       text not null check (outcome in ('completed', 'cancelled', 'failed')),
    error         text,
    started_at    timestamptz not null,
    finished_at   timestamptz not null,
    check (finished_at >= started_at)
);
create index redrive_audit_queue_started on redrive_audit (queue, started_at desc);
create index redrive_audit_started on redrive_audit (started_at desc);
