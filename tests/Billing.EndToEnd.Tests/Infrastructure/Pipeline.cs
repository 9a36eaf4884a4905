using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing.Testing;
using Dapper;

namespace Billing.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The whole system on one fresh database and vhost: every service its own process, its own SMTP server (LocalSmtpServer) writing a
/// Maildir, a PDF directory shared by renderer, mailer and admin API, and the real CLI against the admin API.
/// </summary>
public sealed partial class Pipeline : IAsyncDisposable
{
    public const string Period = "2026-10";

    public static readonly (string Folder, string Assembly)[] AllServices =
    [
        ("admin-api", "Billing.AdminApi"), ("invoice-generator", "Billing.InvoiceGenerator"), ("pdf-renderer", "Billing.PdfRenderer"),
        ("mailer", "Billing.Mailer"), ("accounting-sync", "Billing.AccountingSync"), ("redrive", "Billing.Redrive.Service"),
    ];

    private readonly List<(string Folder, ServiceProcess Process)> processes = [];
    private Process? smtp;

    private Pipeline(TestDatabase db, TestVhost vhost)
    {
        Db = db;
        Vhost = vhost;
    }

    public TestDatabase Db { get; }
    public TestVhost Vhost { get; }
    public string PdfDirectory { get; } = Directory.CreateTempSubdirectory("billing-e2e-pdfs-").FullName;
    public string Maildir { get; } = Directory.CreateTempSubdirectory("billing-e2e-mail-").FullName;
    public int SmtpPort { get; private set; } = ServiceProcess.FreePort();
    public string ApiKey { get; } = "bk_e2e_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    public Dictionary<string, string?> Environment { get; } = [];
    public IReadOnlyList<(string Folder, ServiceProcess Process)> Processes => processes;
    public ServiceProcess Admin => Of("admin-api")[0];

    public IReadOnlyList<ServiceProcess> Of(string folder) => processes.Where(p => p.Folder == folder).Select(p => p.Process).ToList();

    public static async Task<Pipeline> CreateAsync(string prefix)
    {
        var db = await TestDatabase.CreateAsync(prefix);
        var vhost = await TestVhost.CreateAsync(prefix);
        var pipeline = new Pipeline(db, vhost);
        var env = pipeline.Environment;
        env["Postgres__ConnectionString"] = db.ConnectionString;
        env["RabbitMq__Url"] = vhost.AmqpUrl;
        env["RabbitMq__ManagementUrl"] = TestServers.RabbitManagementUrl;
        env["RabbitMq__RetryInitialMs"] = "50";
        env["RabbitMq__RetryIncrementMs"] = "50";
        env["Smtp__Host"] = "127.0.0.1";
        env["Smtp__Port"] = pipeline.SmtpPort.ToString();
        env["Mail__From"] = "billing@example.test";
        env["PdfStorage__Directory"] = pipeline.PdfDirectory;
        env["Auth__ApiKeys"] = ApiKeys.Entry("e2e", "operator", pipeline.ApiKey);
        env["ASPNETCORE_PREVENTHOSTINGSTARTUP"] = "true";
        return pipeline;
    }

    /// <summary>Starts one process of the service with the shared settings plus <paramref name="extra"/>.</summary>
    public ServiceProcess Start(string folder, IDictionary<string, string?>? extra = null)
    {
        var assembly = AllServices.Single(s => s.Folder == folder).Assembly;
        var env = new Dictionary<string, string?>(Environment);
        if (extra is not null)
            foreach (var (k, v) in extra) env[k] = v;
        var process = ServiceProcess.Start(folder, assembly, env);
        processes.Add((folder, process));
        return process;
    }

    /// <summary>Starts every service once and waits until each answers /health.</summary>
    public async Task StartAllAsync(IDictionary<string, IDictionary<string, string?>>? perService = null)
    {
        foreach (var (folder, _) in AllServices) Start(folder, perService is not null && perService.TryGetValue(folder, out var extra) ? extra : null);
        await WaitHealthyAsync();
    }

    public Task WaitHealthyAsync() =>
        Task.WhenAll(processes.Where(p => !p.Process.HasExited).Select(p => p.Process.WaitHealthyAsync(TimeSpan.FromMinutes(4))));

    /// <summary>Replaces a (killed) process of the service by a new one with the same settings.</summary>
    public async Task<ServiceProcess> RestartAsync(ServiceProcess old, string folder, IDictionary<string, string?>? extra = null)
    {
        processes.RemoveAll(p => ReferenceEquals(p.Process, old));
        await old.DisposeAsync();
        var started = Start(folder, extra);
        await started.WaitHealthyAsync(TimeSpan.FromMinutes(4));
        return started;
    }

    public void StartSmtp()
    {
        if (smtp is { HasExited: false }) return;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                smtp = LocalSmtpServer.StartAsync(SmtpPort, Maildir).GetAwaiter().GetResult();
                return;
            }
            // The free port chosen earlier was taken meanwhile (by a parallel test's process): before any service
            // was told the port, another one will do.
            catch (InvalidOperationException) when (processes.Count == 0 && attempt < 5)
            {
                SmtpPort = ServiceProcess.FreePort();
            }
        }
    }

    public HttpClient Api()
    {
        var http = new HttpClient { BaseAddress = new Uri(Admin.BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return http;
    }

    /// <summary>A number of a queue from the management API (messages, consumers); -1 while it is not reported yet.</summary>
    public async Task<int> QueueNumberAsync(string queue, string field)
    {
        var q = await Vhost.QueueAsync(queue);
        return q is { } json && json.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : -1;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var http = Api();
        var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The real CLI (<c>billing</c>) against the admin API with the operator key.</summary>
    public CliRunner Cli => new(Admin.BaseUrl, ApiKey);

    /// <summary>Runs the real CLI against the admin API; returns its exit code and all output.</summary>
    public async Task<(int ExitCode, string Output)> CliAsync(TimeSpan timeout, params string[] args)
    {
        var result = await (Cli with { Timeout = timeout }).RunAsync(args);
        return (result.ExitCode, result.Output);
    }

    public async Task<Guid> RunIdAsync()
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<Guid>("select id from invoice_runs where period = @Period order by started_at desc limit 1", new { Period });
    }

    public async Task<string> RunStatusAsync(Guid runId)
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<string>("select status from invoice_runs where id = @runId", new { runId }) ?? "";
    }

    public async Task WaitCompletedAsync(Guid runId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(8);
        while (await RunStatusAsync(runId) != "completed")
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"run {runId} not completed in time:\n{Logs()}");
            await Task.Delay(1000);
        }
    }

    public string Logs() => string.Join("\n", processes.Select(p =>
    {
        var lines = p.Process.Output.Split('\n');
        return $"--- {p.Folder} (last lines)\n" + string.Join('\n', lines.TakeLast(15));
    }));

    public sealed record InvoiceRow(Guid Id, Guid AccountId, string Issuer, string Number, string? PdfKey, string? PdfSha256,
        string EmailStatus, string? TraceId, Guid? JournalEntryId);

    public async Task<List<InvoiceRow>> InvoicesAsync(Guid runId)
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<InvoiceRow>("""
            select id, account_id, issuer, number, pdf_key, pdf_sha256, email_status, trace_id, journal_entry_id
            from invoices where run_id = @runId
            """, new { runId })).ToList();
    }

    /// <summary>Every invariant of a finished run: one invoice per account with gapless numbers per issuer, one
    /// stored PDF matching its hash, one received email per invoice carrying that PDF, one balanced journal entry.</summary>
    public async Task AssertRunInvariantsAsync(Guid runId, int accounts, int maxDuplicateEmails = 0)
    {
        Assert.Equal("completed", await RunStatusAsync(runId));
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        var invoices = await InvoicesAsync(runId);
        Assert.Equal(accounts, invoices.Count);
        Assert.Equal(accounts, invoices.Select(i => i.AccountId).Distinct().Count());
        Assert.Equal(accounts, await conn.ExecuteScalarAsync<int>("select count(*)::int from invoices"));

        foreach (var issuer in invoices.GroupBy(i => i.Issuer))
        {
            var numbers = issuer.Select(i => long.Parse(TrailingDigits().Match(i.Number).Value)).Order().ToList();
            Assert.Equal(Enumerable.Range(1, numbers.Count).Select(n => (long)n), numbers);
        }

        foreach (var invoice in invoices)
        {
            Assert.False(string.IsNullOrEmpty(invoice.PdfKey), $"invoice {invoice.Id} has no PDF");
            var path = Path.Combine(PdfDirectory, invoice.PdfKey!);
            Assert.True(File.Exists(path), $"PDF of invoice {invoice.Id} missing at {path}");
            Assert.Equal(invoice.PdfSha256!.ToLowerInvariant(), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path))));
            Assert.Equal("sent", invoice.EmailStatus);
        }
        Assert.Equal(accounts, Directory.GetFiles(PdfDirectory, "*", SearchOption.AllDirectories).Count(f => !Path.GetFileName(f).StartsWith('.')));

        var mails = MaildirReader.Read(Maildir);
        var byInvoice = mails.GroupBy(m => m.Header("X-Billing-Invoice-Id") ?? "").ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(invoices.Select(i => i.Id.ToString("D")).Order(), byInvoice.Keys.Order());
        var duplicates = 0;
        foreach (var invoice in invoices)
        {
            var received = byInvoice[invoice.Id.ToString("D")];
            duplicates += received.Count - 1;
            foreach (var mail in received)
            {
                var pdf = Assert.Single(mail.Attachments);
                Assert.Equal(invoice.PdfSha256!.ToLowerInvariant(), Convert.ToHexStringLower(SHA256.HashData(pdf.Content)));
            }
        }
        Assert.True(duplicates <= maxDuplicateEmails,
            $"{duplicates} duplicate emails, at most {maxDuplicateEmails} allowed (the documented at-least-once window of a killed mailer)");

        var entries = (await conn.QueryAsync<(Guid InvoiceId, int Entries, long Debits, long Credits)>("""
            select e.invoice_id, count(distinct e.id)::int, coalesce(sum(l.debit_minor), 0)::bigint, coalesce(sum(l.credit_minor), 0)::bigint
            from journal_entries e left join journal_lines l on l.entry_id = e.id
            where e.source_type = 'invoice' group by e.invoice_id
            """)).ToDictionary(e => e.InvoiceId);
        Assert.Equal(invoices.Select(i => i.Id).Order(), entries.Keys.Order());
        foreach (var (_, e) in entries)
        {
            Assert.Equal(1, e.Entries);
            Assert.Equal(e.Debits, e.Credits);
        }
        Assert.Equal(accounts, await conn.ExecuteScalarAsync<int>("select count(*)::int from journal_entries where source_type = 'invoice'"));
    }

    [GeneratedRegex(@"\d+$")]
    private static partial Regex TrailingDigits();

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, p) in processes) await p.DisposeAsync();
        if (smtp is { HasExited: false })
        {
            smtp.Kill(entireProcessTree: true);
            await smtp.WaitForExitAsync();
        }
        smtp?.Dispose();
        await Vhost.DisposeAsync();
        await Db.DisposeAsync();
        foreach (var dir in new[] { PdfDirectory, Maildir })
            try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    public void KillSmtp()
    {
        if (smtp is { HasExited: false })
        {
            smtp.Kill(entireProcessTree: true);
            smtp.WaitForExit();
        }
    }
}
