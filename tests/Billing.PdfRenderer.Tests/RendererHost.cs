using System.Collections.Concurrent;
using System.Security.Cryptography;
using Billing.Contracts;
using Billing.Pdf;
using Billing.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.PdfRenderer.Tests;

/// <summary>What the renderer published, as a downstream service (the mailer, the error log) receives it.</summary>
public sealed class Captured
{
    public ConcurrentQueue<InvoicePdfRendered> Rendered { get; } = new();
    public ConcurrentQueue<ErrorReported> Errors { get; } = new();

    public IReadOnlyList<InvoicePdfRendered> RenderedFor(Guid invoiceId) => Rendered.Where(r => r.InvoiceId == invoiceId).ToList();

    public IReadOnlyList<ErrorReported> ErrorsFor(Guid invoiceId) => Errors.Where(e => e.InvoiceId == invoiceId).ToList();

    public Task<IReadOnlyList<InvoicePdfRendered>> WaitRenderedAsync(Guid invoiceId, int count, TimeSpan? timeout = null) =>
        Eventually.UntilValue(() => RenderedFor(invoiceId), r => r.Count >= count, timeout ?? TimeSpan.FromSeconds(90));
}

public sealed class CaptureConsumer(Captured captured) : IConsumer<InvoicePdfRendered>, IConsumer<ErrorReported>
{
    public Task Consume(ConsumeContext<InvoicePdfRendered> context)
    {
        captured.Rendered.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ErrorReported> context)
    {
        captured.Errors.Enqueue(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>The real file system storage, counting writes so a test can tell attempts and re-renders apart.</summary>
public sealed class CountingPdfStorage(IPdfStorage inner) : IPdfStorage
{
    private int _puts;
    public int Puts => Volatile.Read(ref _puts);

    public Task<PdfStoredObject> PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        Interlocked.Increment(ref _puts);
        return inner.PutAsync(key, content, ct);
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken ct) => inner.GetAsync(key, ct);
    public Task<bool> ExistsAsync(string key, CancellationToken ct) => inner.ExistsAsync(key, ct);
    public Task DeleteAsync(string key, CancellationToken ct) => inner.DeleteAsync(key, ct);
}

/// <summary>
/// The pdf-renderer's consumers and settings in a host with the real service defaults, a fresh database and vhost,
/// a fresh storage directory, and a consumer capturing what it publishes.
/// </summary>
public sealed class RendererHost : IAsyncDisposable
{
    public required TestDatabase Db { get; init; }
    public required TestVhost Vhost { get; init; }
    public required WebApplication App { get; init; }
    public required string StorageDirectory { get; init; }
    public required Captured Captured { get; init; }
    public required CountingPdfStorage Storage { get; init; }

    public static async Task<RendererHost> StartAsync(string prefix, IDictionary<string, string?>? settings = null)
    {
        var db = await TestDatabase.CreateAsync(prefix);
        var vhost = await TestVhost.CreateAsync(prefix);
        var dir = Directory.CreateTempSubdirectory("billing-pdfs-").FullName;
        var captured = new Captured();
        var storage = new CountingPdfStorage(new FileSystemPdfStorage(dir));
        var all = new Dictionary<string, string?>
        {
            ["PdfStorage:Directory"] = dir,
            ["Issuer:Name"] = "Nordwind Cloud Services GmbH",
            ["Issuer:AddressLines"] = "Friedrichstraße 123; 10117 Berlin ;Germany",
            ["Issuer:TaxId"] = "DE123456789",
            ["Issuer:Email"] = "invoices@nordwind.example",
            ["Issuer:PaymentInstructions"] = "By bank transfer to IBAN DE02 1203 0000 0000 2020 51.",
            ["Issuer:Footer"] = "Registered at Amtsgericht Charlottenburg HRB 123456",
            ["PdfRenderer:ConcurrentRenders"] = "2",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var app = await InProcessService.StartAsync("pdf-renderer", db, vhost,
            bus =>
            {
                bus.AddPdfRendererConsumers();
                bus.AddConsumer<CaptureConsumer>();
            },
            b =>
            {
                b.AddPdfRendererServices();
                b.Services.AddSingleton(captured);
                b.Services.AddSingleton<IPdfStorage>(storage);
            },
            all);
        return new RendererHost { Db = db, Vhost = vhost, App = app, StorageDirectory = dir, Captured = captured, Storage = storage };
    }

    public Task PublishAsync<T>(T message) where T : class =>
        App.Services.GetRequiredService<IPublishEndpoint>().Publish(message);

    public string PathOf(string key) => Path.Combine(StorageDirectory, key);

    public byte[] ReadStored(string key) => File.ReadAllBytes(PathOf(key));

    public IEnumerable<string> StoredFiles() =>
        Directory.EnumerateFiles(StorageDirectory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 });

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Vhost.DisposeAsync();
        await Db.DisposeAsync();
        Directory.Delete(StorageDirectory, recursive: true);
    }
}
