-- The admin API's data-protection key ring (ASP.NET Core): the keys that encrypt the operator console's session
-- cookies and antiforgery tokens. Shared by every admin-api replica, so that a session opened on one is read by all,
-- and kept across restarts. One row per key, as the framework writes it (XML, with the key material itself: whoever
-- reads this table can make console cookies, which still need their API key active). Nothing here is an API key.
create table data_protection_keys (
    id             bigserial primary key,
    friendly_name  text not null unique,
    xml            text not null,
    created_at     timestamptz not null default now()
);
