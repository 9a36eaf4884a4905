namespace Billing.Api.Contracts;

/// <summary>POST /api/keys: who or what uses the key (letters, digits, - and _) and its role, viewer or operator.</summary>
public sealed record CreateApiKeyRequest(string? Name, string? Role);

/// <summary>
/// An admin API key without its secret. <c>source</c> is <c>database</c> for a key created through the API, console or
/// CLI (it has an id and can be revoked) or <c>configuration</c> for a bootstrap key of <c>Auth__ApiKeys</c> (no id;
/// removed only from the configuration). <c>last_used_at</c> is kept to the minute.
/// </summary>
public sealed record ApiKeyInfo(
    Guid? Id, string Name, string Role, string Source, string? CreatedBy, DateTimeOffset? CreatedAt, DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt, string? RevokedBy);

/// <summary>The answer to POST /api/keys: the key itself is in <c>secret</c>, shown this once and stored only as a hash.</summary>
public sealed record ApiKeyCreated(ApiKeyInfo Key, string Secret);

/// <summary>GET /api/keys: the bootstrap keys, then the active keys by name, then (with <c>?revoked=true</c>) the revoked ones.</summary>
public sealed record ApiKeyList(int Count, IReadOnlyList<ApiKeyInfo> Keys);
