namespace Billing.Testing;

/// <summary>Messages the SMTP server wrote to a Maildir: files in <c>new/</c> (and <c>cur/</c>), one message each.</summary>
public static class MaildirReader
{
    public static IReadOnlyList<ReceivedMail> Read(string maildir)
    {
        var files = new[] { "new", "cur" }
            .Select(d => Path.Combine(maildir, d))
            .Where(Directory.Exists)
            .SelectMany(Directory.GetFiles)
            .OrderBy(File.GetLastWriteTimeUtc)
            .ToList();
        return files.Select(f => ReceivedMail.Parse(File.ReadAllBytes(f))).ToList();
    }
}
