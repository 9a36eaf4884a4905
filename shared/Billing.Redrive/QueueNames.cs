namespace Billing.Redrive;

/// <summary>The naming conventions: MassTransit's <c>_error</c>/<c>_skipped</c>, and our <c>_parked</c>/<c>_archive</c>.</summary>
public static class QueueNames
{
    public const string ErrorSuffix = "_error";
    public const string SkippedSuffix = "_skipped";
    public const string ParkedSuffix = "_parked";
    public const string ArchiveSuffix = "_archive";

    /// <summary>The kind of a dead-letter queue, or null for an ordinary queue.</summary>
    public static DeadLetterKind? KindOf(string queue) =>
        queue.EndsWith(ArchiveSuffix, StringComparison.Ordinal) ? DeadLetterKind.Archive
        : queue.EndsWith(ErrorSuffix, StringComparison.Ordinal) ? DeadLetterKind.Error
        : queue.EndsWith(SkippedSuffix, StringComparison.Ordinal) ? DeadLetterKind.Skipped
        : queue.EndsWith(ParkedSuffix, StringComparison.Ordinal) ? DeadLetterKind.Parked
        : null;

    /// <summary>The queue a dead-letter queue belongs to: <c>x_error</c> → <c>x</c>; <c>x_error_archive</c> → <c>x_error</c>.</summary>
    public static string SourceOf(string queue) => KindOf(queue) switch
    {
        DeadLetterKind.Archive => queue[..^ArchiveSuffix.Length],
        DeadLetterKind.Error => queue[..^ErrorSuffix.Length],
        DeadLetterKind.Skipped => queue[..^SkippedSuffix.Length],
        DeadLetterKind.Parked => queue[..^ParkedSuffix.Length],
        _ => queue,
    };

    public static string Parked(string sourceQueue) => sourceQueue + ParkedSuffix;

    public static string Archive(string deadLetterQueue) => deadLetterQueue + ArchiveSuffix;

    /// <summary>The queue name in a MassTransit address (<c>rabbitmq://host/vhost/name?bind=true</c> or <c>queue:name</c>).</summary>
    public static string? FromAddress(string? address)
    {
        if (string.IsNullOrWhiteSpace(address)) return null;
        if (address.StartsWith("queue:", StringComparison.OrdinalIgnoreCase))
            return NullIfEmpty(address["queue:".Length..].Split('?', 2)[0]);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri)) return null;
        // The path is /vhost/queue or just /queue (default vhost); the host is never a queue.
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 0 ? null : NullIfEmpty(Uri.UnescapeDataString(segments[^1]));
    }

    private static string? NullIfEmpty(string text) => text.Trim().Length == 0 ? null : text.Trim();

    internal static void Require(string queue, string parameter)
    {
        if (string.IsNullOrWhiteSpace(queue)) throw new ArgumentException("A queue name is required.", parameter);
        if (queue.Length > 255) throw new ArgumentException("A queue name has at most 255 characters.", parameter);
    }

    internal static void RequireDeadLetter(string queue, string parameter)
    {
        Require(queue, parameter);
        if (KindOf(queue) is null)
            throw new ArgumentException($"'{queue}' is not a dead-letter queue (_error, _skipped, _parked or _archive).", parameter);
    }
}

public enum DeadLetterKind { Error, Skipped, Parked, Archive }
