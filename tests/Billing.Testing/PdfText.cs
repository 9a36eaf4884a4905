using System.ComponentModel;
using System.Diagnostics;

namespace Billing.Testing;

/// <summary>Reads PDFs back with poppler's pdftotext/pdfinfo. Missing tools fail the test: they are a setup error, not a skip.</summary>
public static class PdfText
{
    public static string Extract(byte[] pdf, int? page = null)
    {
        var file = Save(pdf);
        try
        {
            var args = new List<string> { "-layout", "-enc", "UTF-8" };
            if (page is { } p) args.AddRange(["-f", p.ToString(), "-l", p.ToString()]);
            args.AddRange([file, "-"]);
            return Run("pdftotext", args);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static int PageCount(byte[] pdf)
    {
        var file = Save(pdf);
        try
        {
            var info = Run("pdfinfo", [file]);
            var line = info.Split('\n').Single(l => l.StartsWith("Pages:", StringComparison.Ordinal));
            return int.Parse(line["Pages:".Length..].Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Save(byte[] pdf)
    {
        var file = Path.Combine(Path.GetTempPath(), $"billing-pdf-test-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(file, pdf);
        return file;
    }

    private static string Run(string tool, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"'{tool}' is not installed: run 'apt-get install -y poppler-utils' ({e.Message})", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} exited {process.ExitCode}: {stderr}");
            return stdout.Result;
        }
    }
}
