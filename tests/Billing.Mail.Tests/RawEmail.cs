using MimeKit;

namespace Billing.Mail.Tests;

/// <summary>An <see cref="OutgoingEmail"/> from the bytes of a message, for tests that look at what reaches the server.</summary>
public static class RawEmail
{
    public static OutgoingEmail Of(string from, IReadOnlyList<string> to, byte[] content) =>
        new(from, to, MimeMessage.Load(new MemoryStream(content, writable: false)));

    public static OutgoingEmail Of(string from, IReadOnlyList<string> to, string content) =>
        Of(from, to, System.Text.Encoding.UTF8.GetBytes(content));
}
