-- The console lists invoices newest first a page at a time, and finds them by the start of their number whatever the
-- case: both walk an index instead of sorting or scanning every invoice.
create index if not exists invoices_issued_newest on invoices (issued_at desc, id desc);
create index if not exists invoices_number_upper on invoices (upper(number) text_pattern_ops);
