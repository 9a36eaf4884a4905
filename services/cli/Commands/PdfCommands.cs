using System.CommandLine;
using Billing.Api.Contracts;

namespace Billing.Cli.Commands;

/// <summary>
/// <c>billing invoice render</c> and <c>billing invoice pdf</c>.
/// </summary>
public static class PdfCommands
{
    public static Command Render()
    {
        var id = new Argument<Guid>("invoice-id") { Description = "The invoice whose PDF to render again" };
        var reason = new Option<string>("--reason") { Description = "Why (kept in the renderer's log)", DefaultValueFactory = _ => "operator re-render" };
        var command = new Command("render", "Render an invoice's PDF again (operator key); the customer is not emailed again");
        command.Arguments.Add(id);
        command.Options.Add(reason);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var invoiceId = parse.GetValue(id);
            var result = await api.PostAsync<RenderPdfQueued>("/admin/render-pdf", new RenderPdfRequest(invoiceId, parse.GetValue(reason)), ct);
            Console.WriteLine($"re-render of invoice {result.Number} ({invoiceId}) queued");
            return 0;
        });
        return command;
    }

    public static Command Pdf()
    {
        var id = new Argument<Guid>("invoice-id") { Description = "The invoice whose PDF to download" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "File to write (default: <invoice-id>.pdf in the current directory)" };
        var command = new Command("pdf", "Download an invoice's stored PDF");
        command.Arguments.Add(id);
        command.Options.Add(output);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var invoiceId = parse.GetValue(id);
            var file = parse.GetValue(output)?.FullName ?? Path.GetFullPath($"{invoiceId}.pdf");
            var pdf = await api.GetBytesAsync($"/api/invoices/{invoiceId}/pdf", ct);
            try
            {
                await File.WriteAllBytesAsync(file, pdf, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write {file}: {e.Message}");
            }
            Console.WriteLine($"saved {pdf.Length} bytes to {file}");
            return 0;
        });
        return command;
    }
}
