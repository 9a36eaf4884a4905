-- One error per cause. error_monitorings rows become error groups: the fingerprint (v2) is service, message type,
-- exception type and the message with ids, numbers and times taken out, so one cause hitting 219 invoices is one row
-- with occurrence_count 219. Rows written before keep their v1 fingerprints (type + code + business key) and are not
-- merged. What each group hit is listed in error_subjects.
alter table error_monitorings add column message_type text not null default '';
-- generate, render, email, sync or stripe when the failure blocked that step of an invoice: the group is resolved
-- automatically once every invoice (or, for generate, every account) it lists has gone through that step.
alter table error_monitorings add column stage text
    check (stage is null or stage in ('generate', 'render', 'email', 'sync', 'stripe'));
create index error_monitorings_service_status on error_monitorings (service, status);

-- The invoices, accounts, runs and business keys a group hit, each with its own count and first and last time.
create table error_subjects (
    error_id       bigint not null references error_monitorings(id),
    kind           text not null check (kind in ('invoice', 'account', 'run', 'key')),
    subject        text not null,
    occurrences    int not null default 1 check (occurrences >= 1),
    first_seen_at  timestamptz not null,
    last_seen_at   timestamptz not null,
    primary key (error_id, kind, subject)
);
create index error_subjects_subject on error_subjects (kind, subject);

-- The rows of the v1 scheme name one subject each.
insert into error_subjects (error_id, kind, subject, occurrences, first_seen_at, last_seen_at)
select id, 'invoice', invoice_id::text, occurrence_count, created_at, last_seen_at from error_monitorings where invoice_id is not null
union all
select id, 'account', account_id::text, occurrence_count, created_at, last_seen_at from error_monitorings where account_id is not null
union all
select id, 'run', run_id::text, occurrence_count, created_at, last_seen_at from error_monitorings where run_id is not null;

-- Every change of a run's status with the reason the completion check saw (which stage failed how often, which
-- dead-letter queue holds what of the run, what resolved it), so a status never changes without a cause on record.
create table run_status_changes (
    id           bigserial primary key,
    run_id       uuid not null references invoice_runs(id),
    from_status  text not null,
    to_status    text not null,
    reason       text not null,
    changed_at   timestamptz not null default now()
);
create index run_status_changes_run on run_status_changes (run_id, id);
