-- Chat messages that must be posted once only (the run's start and closing reports, each day's and week's
-- summary) carry a key; a redelivered InvoiceRunCompleted or a second replica then inserts nothing.
alter table chat_alert_outbox add column dedupe_key text;
create unique index chat_alert_outbox_dedupe on chat_alert_outbox (dedupe_key) where dedupe_key is not null;
