using Billing.Pdf;
using Billing.Vocabulary;

namespace Billing.Bench.Pdf;

/// <summary>
/// Realistic invoices for benchmarks, demos and tests: a base fee, metered usage with graduated tier breakdowns
/// and the odd one-off charge, with totals that add up exactly as the invoicing rules require.
/// </summary>
public static class SampleInvoices
{
    private static readonly string[] Customers =
        ["Müller GmbH", "Société Générale Services", "José Núñez Consulting S.L.", "Acme Analytics Ltd", "Nordlicht AB", "Øresund Logistics ApS"];

    private static readonly string[] Meters = ["API requests", "Storage (GB-month)", "Ad impressions", "Compute minutes", "Outbound transfer (GB)"];

    /// <summary>A one-page invoice; the seed varies customer, lines and amounts deterministically.</summary>
    public static InvoiceDocument OnePage(int seed, string currency = "EUR") => Create(seed, currency, usageLines: 1 + seed % 4);

    /// <summary>An invoice with about <paramref name="usageLines"/> usage lines, each with a two-tier breakdown.</summary>
    public static InvoiceDocument Create(int seed, string currency, int usageLines)
    {
        var random = new Random(seed);
        var lines = new List<InvoiceLine>();
        var lineNo = 1;
        lines.Add(Line(lineNo++, InvoiceLineKinds.BaseFee, "Business plan, monthly base fee", 1, 49.00m, currency));
        for (var u = 0; u < usageLines; u++)
        {
            var usageNo = lineNo++;
            var included = 10_000m * (1 + random.Next(5));
            var extra = random.Next(1, 900_000);
            var first = Line(lineNo++, InvoiceLineKinds.Tier, $"First {included:0} units", included, 0.0010m, currency, usageNo);
            var second = Line(lineNo++, InvoiceLineKinds.Tier, $"Units above {included:0}", extra, 0.0005m, currency, usageNo);
            lines.Add(new InvoiceLine
            {
                LineNo = usageNo, Kind = InvoiceLineKinds.Usage, Description = $"{Meters[(seed + u) % Meters.Length]}, graduated pricing",
                Quantity = included + extra, UnitPrice = 0, AmountMinor = first.AmountMinor + second.AmountMinor,
            });
            lines.Add(first);
            lines.Add(second);
        }
        if (seed % 3 == 0) lines.Add(Line(lineNo, InvoiceLineKinds.Charge, "Managed service job: database migration assistance", 2.5m, 120m, currency));
        return Document(seed, currency, lines);
    }

    private static InvoiceDocument Document(int seed, string currency, List<InvoiceLine> lines)
    {
        var subtotal = lines.Where(l => l.Kind != InvoiceLineKinds.Tier).Sum(l => l.AmountMinor);
        const decimal rate = 19m;
        var tax = (long)Math.Round(subtotal * rate / 100m, MidpointRounding.AwayFromZero);
        return new InvoiceDocument
        {
            Issuer = new InvoiceIssuer
            {
                Name = "Billing Example Cloud GmbH",
                AddressLines = ["Friedrichstraße 123", "10117 Berlin", "Germany"],
                TaxId = "DE123456789",
                Email = "billing@example.com",
            },
            BillTo = new InvoiceBillTo
            {
                Name = Customers[seed % Customers.Length],
                AddressLines = [$"{seed % 200 + 1} Example Street", "Suite 4", "75001 Paris", "France"],
                Email = $"accounts{seed}@example.org",
            },
            Number = $"INV-2026-{seed + 1:D6}",
            IssueDate = new DateOnly(2026, 11, 1),
            DueDate = new DateOnly(2026, 11, 15),
            Period = "2026-10",
            Currency = currency,
            Lines = lines,
            SubtotalMinor = subtotal,
            TaxRatePercent = rate,
            TaxMinor = tax,
            TotalMinor = subtotal + tax,
            PaymentTerms = "Payable within 14 days of the issue date, by 2026-11-15, by bank transfer to IBAN DE02 1203 0000 0000 2020 51 (BIC BYLADEM1001), quoting the invoice number.",
            Footer = "Billing Example Cloud GmbH · Friedrichstraße 123, 10117 Berlin · Registered at Amtsgericht Charlottenburg HRB 123456 · Managing director: Erika Mustermann",
        };
    }

    private static InvoiceLine Line(int lineNo, string kind, string description, decimal quantity, decimal unitPrice, string currency, int? parent = null)
    {
        var info = Currencies.Get(currency);
        var amount = info.ToMinor(Math.Round(quantity * unitPrice, info.Exponent, MidpointRounding.AwayFromZero));
        return new InvoiceLine
        {
            LineNo = lineNo, Kind = kind, Description = description, Quantity = quantity, UnitPrice = unitPrice,
            AmountMinor = amount, ParentLineNo = parent,
        };
    }
}
