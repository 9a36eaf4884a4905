using Billing.Contracts;
using Billing.Testing;

namespace Billing.PdfRenderer.Tests;

public sealed class When_the_invoice_data_cannot_make_a_pdf : IAsyncLifetime
{
    private RendererHost host = null!;

    public async Task InitializeAsync() =>
        host = await RendererHost.StartAsync("pdfbad", new Dictionary<string, string?> { ["RabbitMq:RetryLimit"] = "3" });

    public async Task DisposeAsync() => await host.DisposeAsync();

    public enum Problem { SubtotalDiffersFromLines, NoLines, UnknownLineKind, TierWithoutUsageLine, UnknownInvoice }

    [Theory]
    [InlineData(Problem.SubtotalDiffersFromLines, "SubtotalMinor")]
    [InlineData(Problem.NoLines, "Lines")]
    [InlineData(Problem.UnknownLineKind, "Lines[0].Kind")]
    [InlineData(Problem.TierWithoutUsageLine, "Lines[1].ParentLineNo")]
    [InlineData(Problem.UnknownInvoice, "InvoiceId")]
    public async Task Does_dead_letter_without_retries_and_report_the_reason(Problem problem, string field)
    {
        var message = await FinalizedWithAsync(problem);
        var id = message.InvoiceId;
        await host.PublishAsync(message);

        var dead = await Eventually.Until(() => DeadLetters.FindAsync(host.Vhost.AmqpUrl, DeadLetters.FinalizedErrorQueue, id),
            d => d is not null, TimeSpan.FromSeconds(90));
        Assert.Equal("System.ComponentModel.DataAnnotations.ValidationException", dead!.Header("MT-Fault-ExceptionType"));
        Assert.Contains(field, dead.Header("MT-Fault-Message"));

        var error = Assert.Single(await Eventually.UntilValue(() => host.Captured.ErrorsFor(id), e => e.Count > 0));
        Assert.Equal(("pdf-renderer", "pdf_render_failed", field, id.ToString()), (error.Service, error.ErrorType, error.Code, error.BusinessKey));
        Assert.Contains(field, error.Message);
        Assert.Equal(message.AccountId, error.AccountId);
        // One attempt only: every attempt reports, and a retry would have reported again by now.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(host.Captured.ErrorsFor(id));
        Assert.Empty(host.Captured.RenderedFor(id));
        Assert.DoesNotContain(host.StoredFiles(), f => f.Contains(id.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Does_dead_letter_an_operator_rerender_of_an_unknown_invoice()
    {
        var id = Guid.NewGuid();
        await host.PublishAsync(new RenderInvoicePdf(id, "typo"));
        var dead = await Eventually.Until(() => DeadLetters.FindAsync(host.Vhost.AmqpUrl, DeadLetters.RenderErrorQueue, id),
            d => d is not null, TimeSpan.FromSeconds(90));
        Assert.Equal("System.ComponentModel.DataAnnotations.ValidationException", dead!.Header("MT-Fault-ExceptionType"));
        var error = Assert.Single(await Eventually.UntilValue(() => host.Captured.ErrorsFor(id), e => e.Count > 0));
        Assert.Equal("InvoiceId", error.Code);
    }

    private async Task<InvoiceFinalized> FinalizedWithAsync(Problem problem)
    {
        var db = host.Db.DataSource;
        return problem switch
        {
            Problem.SubtotalDiffersFromLines => (await TestInvoices.InsertAsync(db, TestInvoices.Typical, subtotalOverride: 47_300)).Finalized(),
            Problem.NoLines => (await TestInvoices.InsertAsync(db, [])).Finalized(),
            Problem.UnknownLineKind => (await TestInvoices.InsertAsync(db, [new LineSpec(1, "discount", "Loyalty discount", 1, 5m, 500)])).Finalized(),
            Problem.TierWithoutUsageLine => (await TestInvoices.InsertAsync(db,
                [new LineSpec(1, "base_fee", "Base fee", 1, 49m, 4_900), new LineSpec(2, "tier", "First 1000 units", 1000, 0.01m, 1_000, 1)])).Finalized(),
            Problem.UnknownInvoice => new InvoiceFinalized(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "2026-10", "INV-X", 100, "EUR"),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
    }
}
