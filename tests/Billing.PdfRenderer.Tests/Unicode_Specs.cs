namespace Billing.PdfRenderer.Tests;

public sealed class When_names_have_umlauts_accents_and_cjk : IAsyncLifetime
{
    private RendererHost host = null!;

    public async Task InitializeAsync() => host = await RendererHost.StartAsync("pdfnames");

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Theory]
    [InlineData("Jürgen Müller Bäckerei GmbH", "Größenänderung, Speicher", "Düsseldorf")]
    [InlineData("Société Générale Services", "Crème brûlée façade, déjà vu", "Saint-Étienne")]
    [InlineData("José Núñez Consulting S.L.", "Señalización, año fiscal", "A Coruña")]
    public async Task Does_render_latin_names_as_they_are(string account, string description, string city)
    {
        var text = await RenderAsync(account, description, city);
        Assert.Contains(account, text);
        Assert.Contains(description, text);
        Assert.Contains(city, text);
    }

    [Fact]
    public async Task Does_render_a_cjk_name_without_error()
    {
        var text = await RenderAsync("株式会社山田商事", "クラウドストレージ月額", "東京都");
        // Which one depends on whether a CJK font is installed (deploy/local/servers.sh installs one); a failed
        // render or silently dropped text is not acceptable.
        Assert.True(text.Contains("株式会社山田商事") || text.Contains("????????"), text);
        Assert.True(text.Contains("クラウドストレージ月額") || text.Contains("??????????"), text);
        Assert.Contains("564.06", text.Replace("EUR ", ""));
    }

    private async Task<string> RenderAsync(string account, string description, string city)
    {
        var lines = TestInvoices.Typical.Select(l => l.LineNo == 5 ? l with { Description = description } : l).ToList();
        var address = System.Text.Json.JsonSerializer.Serialize(new { line1 = "1 Main St", city, postal_code = "123", country = "X" });
        var invoice = await TestInvoices.InsertAsync(host.Db.DataSource, lines, accountName: account, addressJson: address);
        await host.PublishAsync(invoice.Finalized());
        var rendered = (await host.Captured.WaitRenderedAsync(invoice.InvoiceId, 1)).Single();
        Assert.Empty(host.Captured.ErrorsFor(invoice.InvoiceId));
        return PdfText.Extract(host.ReadStored(rendered.StorageKey));
    }
}
