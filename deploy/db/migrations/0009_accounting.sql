-- accounting-sync and the Stripe webhook find our invoice by the Stripe invoice id when an event carries no
-- metadata.billing_invoice_id; reconciliation selects the invoices pushed to Stripe.
create index if not exists invoices_stripe_invoice_id on invoices (stripe_invoice_id) where stripe_invoice_id is not null;
