using System.Security.Cryptography;
using System.Text;

namespace Billing.Ledger;

/// <summary>Deterministic keys and ids of journal entries.</summary>
public static class SourceKeys
{
    // Fixed namespace for name-based entry ids; changing it would give already-posted documents new ids.
    static readonly Guid Namespace = new("5b0c6f1e-3d2a-4c1b-9e7f-1a2b3c4d5e6f");

    public static string For(string sourceType, string sourceId) => $"{sourceType}:{sourceId}";

    /// <summary>
    /// Name-based UUID (RFC 9562 version 5) of a source document: a redelivered message builds an entry with the
    /// same id, so the store's insert conflicts instead of creating a second entry.
    /// </summary>
    public static Guid EntryId(string sourceType, string sourceId)
    {
        Span<byte> ns = stackalloc byte[16];
        Namespace.TryWriteBytes(ns, bigEndian: true, out _);
        var name = Encoding.UTF8.GetBytes(For(sourceType, sourceId));
        var input = new byte[16 + name.Length];
        ns.CopyTo(input);
        name.CopyTo(input, 16);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
