using System.Diagnostics;

namespace Billing.Testing;

/// <summary>Makes a directory unwritable for a while, so a test can see writes into it fail.</summary>
public static class ReadOnlyDirectory
{
    /// <summary>
    /// Takes the write permission away until the result is disposed. Root ignores permission bits, so as root the
    /// directory is made immutable instead (chattr +i: needs a file system with immutable attributes, such as ext4).
    /// </summary>
    public static IDisposable Make(string directory)
    {
        if (Environment.UserName != "root")
        {
            var mode = SetMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return new Undo(() => SetMode(directory, mode));
        }
        Chattr("+i", directory);
        return new Undo(() => Chattr("-i", directory));
    }

    /// <summary>Sets the mode and returns the one before.</summary>
    private static UnixFileMode SetMode(string directory, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the read-only directory test needs Unix permissions");
        var before = File.GetUnixFileMode(directory);
        File.SetUnixFileMode(directory, mode);
        return before;
    }

    private static void Chattr(string flag, string path)
    {
        using var process = Process.Start("chattr", [flag, path]);
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"chattr {flag} {path} failed: this test needs a file system with immutable attributes (ext4)");
    }

    private sealed class Undo(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
