-- Admin API keys created at run time (console, API, CLI). Only a SHA-256 hash of a key is stored; a key takes effect,
-- and a revoked one stops working, with the next request: no restart. Keys in Auth__ApiKeys stay as the bootstrap and
-- are not rows here.
create table api_keys (
    id            uuid primary key,
    name          text not null check (name ~ '^[A-Za-z0-9_-]{1,64}$'),
    role          text not null check (role in ('viewer', 'operator')),
    key_hash      bytea not null unique check (length(key_hash) = 32),
    created_by    text not null,
    created_at    timestamptz not null default now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    revoked_by    text
);
-- One active key per name, so a name in an audit row says which key it was.
create unique index api_keys_active_name on api_keys (name) where revoked_at is null;
