-- Late usage: a record for a period already closed for its account (its invoice exists, or a run for the period has
-- started) is accepted and billed once, on the account's next invoice. That invoice is recorded in the record in the
-- same transaction that stores the invoice, so a redelivered or repeated generation cannot bill it again.
alter table usage_records add column late boolean not null default false;
alter table usage_records add column billed_invoice_id uuid references invoices(id);
create index usage_records_late_unbilled on usage_records (account_id) where late and billed_invoice_id is null;
