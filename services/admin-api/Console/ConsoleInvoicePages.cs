using Billing.AdminApi.OperatorConsole.Components;
using Billing.Contracts;
using Billing.Pdf;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>The console's pages for: invoices and accounts.</summary>
public static class ConsoleInvoicePages
{
    public static void Map(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/invoices", InvoicesAsync);
        read.MapGet("/invoices/{id:guid}", InvoiceAsync);
        read.MapGet("/invoices/{id:guid}/deliveries", DeliveriesAsync);
        read.MapGet("/invoices/{id:guid}/pdf", PdfAsync);
        ConsoleForms.Form(write.MapPost("/invoices/{id:guid}/resend", ResendAsync));
        ConsoleForms.Form(write.MapPost("/invoices/{id:guid}/render", RenderAsync));
        read.MapGet("/accounts", AccountsAsync);
        read.MapGet("/accounts/{id:guid}", AccountAsync);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static async Task<RazorComponentResult> InvoicesAsync(HttpContext http, string? q, string? run, string? account, string? status,
        string? email, string? after, ConsoleInvoices invoices, CancellationToken ct)
    {
        var search = new InvoiceSearch(Blank(q), Blank(run), Blank(status), Blank(email), Blank(account));
        var problems = search.Problems().ToList();
        if (Blank(after) is { } a && !Guid.TryParse(a, out _)) problems.Add(("after", $"Page: '{a}' is not an invoice id (a UUID)."));
        var page = problems.Count == 0
            ? await invoices.InvoicesAsync(search, Guid.TryParse(after, out var key) ? key : null, ct)
            : null;
        return ConsolePages.Render<InvoicesPage>(new { User = ConsoleUser.From(http.User), Search = search, Page = page, Problems = problems },
            problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<RazorComponentResult> InvoiceAsync(HttpContext http, Guid id, string? resent, string? rendered, ConsoleInvoices invoices,
        CancellationToken ct) =>
        await invoices.InvoiceAsync(id, ct) is { } view
            ? ConsolePages.Render<InvoicePage>(new
            {
                User = ConsoleUser.From(http.User),
                View = view,
                Resent = Guid.TryParse(resent, out var request) ? request : (Guid?)null,
                Rendered = rendered == "1",
            })
            : NoInvoice(http, id);

    // Polled every 2 s while a resend is on its way: reads the deliveries only, not the whole invoice.
    private static async Task<RazorComponentResult> DeliveriesAsync(HttpContext http, Guid id, string? resent, ConsoleInvoices invoices, CancellationToken ct) =>
        await invoices.DeliveriesAsync(id, ct) is { } deliveries
            ? ConsolePages.Render<InvoiceDeliveries>(new { Deliveries = deliveries, Resent = Guid.TryParse(resent, out var request) ? request : (Guid?)null })
            : NoInvoice(http, id);

    /// <summary>The stored PDF, shown in the page (inline); a page that says why when there is none.</summary>
    private static async Task<IResult> PdfAsync(HttpContext http, Guid id, ConsoleInvoices invoices, IPdfStorage storage, CancellationToken ct)
    {
        if (await invoices.PdfOfAsync(id, ct) is not var (number, pdfKey)) return NoInvoice(http, id);
        if (pdfKey is null)
            return ConsolePages.Error(http, StatusCodes.Status404NotFound, "No PDF yet",
                $"Invoice {number} has no PDF yet: it is rendered after the invoice is issued, or on request from the invoice's page.");
        if (await storage.GetAsync(pdfKey, ct) is not { } pdf)
            return ConsolePages.Error(http, StatusCodes.Status404NotFound, "PDF missing from storage",
                $"Invoice {number} records the PDF '{pdfKey}' but the storage has no such file. Re-render it from the invoice's page.");
        http.Response.Headers[HeaderNames.ContentDisposition] = $"inline; filename=\"{number}.pdf\"";
        return TypedResults.File(pdf, "application/pdf");
    }

    /// <summary>Sends the invoice's email again, as <c>POST /admin/resend-invoice</c> does; the page then follows the new delivery.</summary>
    private static async Task<IResult> ResendAsync(HttpContext http, Guid id, ConsoleInvoices invoices, IPublishEndpoint bus, CancellationToken ct)
    {
        if (!await invoices.ExistsAsync(id, ct)) return NoInvoice(http, id);
        var request = Guid.NewGuid();
        await bus.Publish(new ResendInvoiceEmail(request, id, http.User.Identity?.Name ?? "unknown"), ct);
        return ConsoleForms.SeeOther($"{ConsolePaths.Root}/invoices/{id}?resent={request}#deliveries");
    }

    /// <summary>Renders the PDF again, as <c>POST /admin/render-pdf</c> does.</summary>
    private static async Task<IResult> RenderAsync(HttpContext http, Guid id, ConsoleInvoices invoices, IPublishEndpoint bus, CancellationToken ct)
    {
        if (!await invoices.ExistsAsync(id, ct)) return NoInvoice(http, id);
        await bus.Publish(new RenderInvoicePdf(id, $"operator re-render (by {http.User.Identity?.Name})"), ct);
        return ConsoleForms.SeeOther($"{ConsolePaths.Root}/invoices/{id}?rendered=1#pdf");
    }

    private static async Task<RazorComponentResult> AccountsAsync(HttpContext http, string? q, string? after, ConsoleInvoices invoices, CancellationToken ct)
    {
        List<(string Field, string Message)> problems = [];
        if (Blank(q) is { Length: > 200 }) problems.Add(("q", "Search: at most 200 characters."));
        if (Blank(after) is { } a && !Guid.TryParse(a, out _)) problems.Add(("after", $"Page: '{a}' is not an account id (a UUID)."));
        var page = problems.Count == 0 ? await invoices.AccountsAsync(Blank(q), Guid.TryParse(after, out var key) ? key : null, ct) : null;
        return ConsolePages.Render<AccountsPage>(new { User = ConsoleUser.From(http.User), Q = Blank(q), Page = page, Problems = problems },
            problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<RazorComponentResult> AccountAsync(HttpContext http, Guid id, ConsoleInvoices invoices, CancellationToken ct) =>
        await invoices.AccountAsync(id, ct) is { } view
            ? ConsolePages.Render<AccountPage>(new { User = ConsoleUser.From(http.User), View = view })
            : ConsolePages.Error(http, StatusCodes.Status404NotFound, "Account not found", $"There is no account {id}.");

    private static RazorComponentResult NoInvoice(HttpContext http, Guid id) =>
        ConsolePages.Error(http, StatusCodes.Status404NotFound, "Invoice not found", $"There is no invoice {id}.");
}
