namespace Billing.Testing;

/// <summary>Messages the SMTP server wrote to a Maildir: files in <c>new/</c> (and <c>cur/</c>), one message each.</summary>
public static class MaildirReader
{
    public static IReadOnlyList<ReceivedMail> Read(string maildir)
    {
        var files = new[] { "new", "cur" }
            .SelectMany(d => Files(maildir, d))
            .OrderBy(File.GetLastWriteTimeUtc)
            .ToList();
        return files.Select(f => ReceivedMail.Parse(File.ReadAllBytes(f))).ToList();
    }

    /// <summary>The files in one folder of the Maildir (<c>new</c>, <c>cur</c> or <c>tmp</c>); none while it does not exist.</summary>
    public static string[] Files(string maildir, string folder = "new")
    {
        var path = Path.Combine(maildir, folder);
        return Directory.Exists(path) ? Directory.GetFiles(path) : [];
    }
}
