-- A run can be cancelled: 'cancelling' from the cancel until the invoices issued before it have their PDF, email and
-- ledger entry (or a failure), then 'cancelled'. A cancelling run still blocks a second run of the same period.
alter table invoice_runs drop constraint invoice_runs_status_check;
alter table invoice_runs add constraint invoice_runs_status_check
    check (status in ('running', 'needs_attention', 'completed', 'cancelling', 'cancelled'));
drop index invoice_runs_one_running;
create unique index invoice_runs_one_running on invoice_runs (period) where status in ('running', 'needs_attention', 'cancelling');

alter table invoice_runs add column cancelled_at timestamptz;
alter table invoice_runs add column cancelled_by text;
