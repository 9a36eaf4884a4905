-- accounting-sync and the Stripe webhook find our invoice by the Stripe invoice id when an event carries no
-- metadata.billing_invoice_id; reconciliation selects the invoices pushed to Stripe.
create index if not exists invoices_stripe_invoice_id on invoices (stripe_invoice_id) where stripe_invoice_id is not null;

-- The balance check ran once per line and again per entry: a four-line entry was summed five times at commit,
-- more than half the cost of posting a batch. A line of an entry inserted by this same transaction needs no check
-- of its own, since the entry's trigger checks the final state at commit. Lines added to or deleted from an
-- older entry are still checked. "This transaction" is the row's xmin together with created_at = now() (the
-- transaction's start): xmin alone could match a frozen row after xid wraparound. Inside a savepoint xmin is the
-- subtransaction's id, so such lines simply take the full check.
create or replace function journal_entry_must_balance() returns trigger
language plpgsql as $$
declare
    target   uuid;
    new_in_this_transaction boolean;
    n_lines  bigint;
    debits   numeric;
    credits  numeric;
begin
    if tg_table_name = 'journal_entries' then
        target := new.id;
    elsif tg_op = 'DELETE' then
        target := old.entry_id;
    else
        target := new.entry_id;
    end if;
    select e.xmin::text::bigint = (txid_current() & 4294967295) and e.created_at = now()
      into new_in_this_transaction
      from journal_entries e where e.id = target;
    -- The whole entry was deleted in this transaction: nothing is left to balance.
    if not found then
        return null;
    end if;
    if tg_table_name = 'journal_lines' and new_in_this_transaction then
        return null;
    end if;
    select count(*), coalesce(sum(debit_minor), 0), coalesce(sum(credit_minor), 0)
      into n_lines, debits, credits
      from journal_lines where entry_id = target;
    if n_lines = 0 then
        raise exception 'journal entry % has no lines', target using errcode = 'check_violation';
    end if;
    if debits <> credits then
        raise exception 'journal entry % is unbalanced: debits % <> credits %', target, debits, credits
            using errcode = 'check_violation';
    end if;
    return null;
end $$;

-- Every invoice is updated three times after insert (PDF, email, ledger sync). Room on each page lets those updates
-- stay HOT (no new entries in the invoice indexes) when none of the updated columns is indexed.
alter table invoices set (fillfactor = 85);
