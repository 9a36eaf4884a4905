using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.PdfRenderer.Tests;

/// <summary>The admin API and the pdf-renderer as real processes sharing a database, a vhost and a storage directory.</summary>
public sealed class AdminApiAndRenderer : IAsyncLifetime
{
    public const string OperatorKey = "bk_operator_pdf_1c2d9e8a7b6c5d4e3f2a1b";
    public const string ViewerKey = "bk_viewer_pdf_8c7d6e5f4a3b2c1d0e9f0a";
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private string storage = "";
    private ServiceProcess api = null!;
    private ServiceProcess renderer = null!;
    private WebApplication capture = null!;
    private readonly Captured captured = new();

    public TestDatabase Db => db;
    public string Storage => storage;
    public ServiceProcess Api => api;
    public Captured Captured => captured;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("pdfadmin");
        vhost = await TestVhost.CreateAsync("pdfadmin");
        storage = Directory.CreateTempSubdirectory("billing-pdfs-").FullName;
        var env = new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = db.ConnectionString,
            ["RabbitMq__Url"] = vhost.AmqpUrl,
            ["PdfStorage__Directory"] = storage,
        };
        renderer = ServiceProcess.Start("pdf-renderer", "Billing.PdfRenderer",
            new Dictionary<string, string?>(env) { ["Issuer__Name"] = "Nordwind Cloud Services GmbH" });
        api = ServiceProcess.Start("admin-api", "Billing.AdminApi",
            new Dictionary<string, string?>(env) { ["Auth__ApiKeys"] = ApiKeys.Setting(OperatorKey, ViewerKey) });
        await Task.WhenAll(renderer.WaitHealthyAsync(), api.WaitHealthyAsync());
        capture = await InProcessService.StartAsync("pdf-capture", db, vhost, bus => bus.AddConsumer<CaptureConsumer>(),
            b => b.Services.AddSingleton(captured));
    }

    public async Task DisposeAsync()
    {
        await capture.DisposeAsync();
        await api.DisposeAsync();
        await renderer.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
        Directory.Delete(storage, recursive: true);
    }
}

public sealed class When_operators_render_and_download_pdfs(AdminApiAndRenderer services) : IClassFixture<AdminApiAndRenderer>
{
    private const string OperatorKey = AdminApiAndRenderer.OperatorKey;
    private const string ViewerKey = AdminApiAndRenderer.ViewerKey;
    private readonly TestDatabase db = services.Db;
    private readonly string storage = services.Storage;
    private readonly ServiceProcess api = services.Api;
    private readonly Captured captured = services.Captured;

    [Fact]
    public async Task Does_accept_a_rerender_from_an_operator_and_serve_the_pdf_to_a_viewer()
    {
        var invoice = await TestInvoices.InsertAsync(db.DataSource, TestInvoices.Typical);
        using var viewer = Client(ViewerKey);

        var before = await viewer.GetAsync($"/api/invoices/{invoice.InvoiceId}/pdf");
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal("application/problem+json", before.Content.Headers.ContentType?.MediaType);
        Assert.Equal("PDF not rendered yet", (await Problem(before)).GetProperty("title").GetString());

        using var op = Client(OperatorKey);
        var accepted = await op.PostAsJsonAsync("/admin/render-pdf", new { invoice_id = invoice.InvoiceId });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var rendered = (await captured.WaitRenderedAsync(invoice.InvoiceId, 1)).Single();
        Assert.True(rendered.Rerender);

        var response = await Eventually.Until(() => viewer.GetAsync($"/api/invoices/{invoice.InvoiceId}/pdf"), r => r.IsSuccessStatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var pdf = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(rendered.Sha256, RendererHost.Sha256(pdf));
        Assert.Contains(invoice.Number, PdfText.Extract(pdf));
    }

    [Fact]
    public async Task Does_answer_404_for_an_unknown_invoice_403_for_a_viewer_and_400_for_a_bad_body()
    {
        var invoice = await TestInvoices.InsertAsync(db.DataSource, TestInvoices.Typical);
        using var op = Client(OperatorKey);
        using var viewer = Client(ViewerKey);
        using var anonymous = Client(null);

        var unknown = await op.PostAsJsonAsync("/admin/render-pdf", new { invoice_id = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("invoice not found", (await Problem(unknown)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/admin/render-pdf", new { invoice_id = invoice.InvoiceId })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/admin/render-pdf", new { invoice_id = invoice.InvoiceId })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/invoices/{invoice.InvoiceId}/pdf")).StatusCode);

        foreach (var body in new[] { "{}", """{"invoice_id":"nope"}""", """{"invoice_id":42}""", "[1]", "not json" })
        {
            var bad = await op.PostAsync("/admin/render-pdf", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            var errors = (await Problem(bad)).GetProperty("errors");
            Assert.True(errors.TryGetProperty("invoice_id", out _) || errors.TryGetProperty("body", out _), body);
        }
        var badId = await viewer.GetAsync("/api/invoices/not-a-uuid/pdf");
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.True((await Problem(badId)).GetProperty("errors").TryGetProperty("id", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/api/invoices/{Guid.NewGuid()}/pdf")).StatusCode);

        // None of the refused requests rendered anything.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty(captured.RenderedFor(invoice.InvoiceId));
        Assert.Null((await TestInvoices.PdfColumnsAsync(db.DataSource, invoice.InvoiceId)).PdfKey);
    }

    [Fact]
    public async Task Does_render_and_download_with_the_cli()
    {
        var invoice = await TestInvoices.InsertAsync(db.DataSource, TestInvoices.Typical);
        var output = Path.Combine(storage, $"download-{invoice.InvoiceId:N}.pdf");

        var (notYet, _, notYetErr) = await Cli(ViewerKey, "invoice", "pdf", invoice.InvoiceId.ToString(), "--output", output);
        Assert.Equal(1, notYet);
        Assert.Contains("HTTP 404: PDF not rendered yet", notYetErr);
        Assert.False(File.Exists(output));

        var (denied, _, deniedErr) = await Cli(ViewerKey, "invoice", "render", invoice.InvoiceId.ToString());
        Assert.Equal(1, denied);
        Assert.Contains("HTTP 403", deniedErr);

        var (render, renderOut, _) = await Cli(OperatorKey, "invoice", "render", invoice.InvoiceId.ToString(), "--reason", "cli test");
        Assert.Equal(0, render);
        Assert.Contains($"re-render of invoice {invoice.Number}", renderOut);
        var rendered = (await captured.WaitRenderedAsync(invoice.InvoiceId, 1)).Single();

        var (download, downloadOut, _) = await Cli(ViewerKey, "invoice", "pdf", invoice.InvoiceId.ToString(), "--output", output);
        Assert.Equal(0, download);
        Assert.Contains(output, downloadOut);
        Assert.Equal(rendered.Sha256, RendererHost.Sha256(await File.ReadAllBytesAsync(output)));

        var (badId, _, badIdErr) = await Cli(ViewerKey, "invoice", "pdf", "not-a-uuid");
        Assert.NotEqual(0, badId);
        Assert.False(string.IsNullOrWhiteSpace(badIdErr));
    }

    private HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = new Uri(api.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private Task<CliResult> Cli(string key, params string[] args) => new CliRunner(api.BaseUrl, key).RunAsync(args);
}
