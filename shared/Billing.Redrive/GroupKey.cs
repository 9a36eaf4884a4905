using System.Security.Cryptography;
using System.Text;

namespace Billing.Redrive;

/// <summary>What makes failures "the same": exception type, message type and the first stack frame.</summary>
public sealed record GroupKey(string ExceptionType, string MessageType, string FirstFrame)
{
    /// <summary>A short stable id an operator can type (first 12 hex digits of SHA-256 over the key).</summary>
    public string Id { get; } = MakeId(ExceptionType, MessageType, FirstFrame);

    private static string MakeId(string exceptionType, string messageType, string firstFrame)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{exceptionType}\n{messageType}\n{firstFrame}"));
        return Convert.ToHexStringLower(hash)[..12];
    }

    /// <summary>The first "at ..." line of a .NET stack trace, without the file path so builds on other machines group together.</summary>
    public static string FirstFrameOf(string? stackTrace)
    {
        if (string.IsNullOrWhiteSpace(stackTrace)) return "";
        foreach (var raw in stackTrace.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("at ", StringComparison.Ordinal)) continue;
            var file = line.IndexOf(" in ", StringComparison.Ordinal);
            return file > 0 ? line[..file] : line;
        }
        return "";
    }
}

/// <summary>A group of alike dead-lettered messages in one queue.</summary>
public sealed record MessageGroup(GroupKey Key, int Count, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, string? SampleReason, string? SampleMessageId);
