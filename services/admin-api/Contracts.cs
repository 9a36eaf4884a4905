using System.Text.Json;
using Billing.Api.Contracts;
using Billing.Errors.Infrastructure;
using Billing.Errors;
using Billing.Redrive;
using Billing.Invoicing.Infrastructure;
using Billing.Invoicing.Infrastructure.CreditNotes;
using Billing.Vocabulary;
using ApiAffectedSubject = Billing.Api.Contracts.AffectedSubject;
using ApiEmailDelivery = Billing.Api.Contracts.EmailDelivery;
using ErrorSummary = Billing.Api.Contracts.ErrorSummary;

namespace Billing.AdminApi;

/// <summary>The stored rows and domain values as the records of <see cref="Billing.Api.Contracts"/> the API answers with.</summary>
internal static class ContractMapping
{
    public static PlanResponse ToResponse(this Billing.Catalogue.Plan p) =>
        new(p.Id, p.Code, p.Name, p.Currency, p.BaseFeeMinor, p.Components.Select(ToContract).ToList(), p.CreatedAt);

    private static PlanComponent ToContract(Billing.Invoicing.MeteredComponent c) => new()
    {
        Metric = c.Metric, Description = c.Description, Model = c.Model, UnitPrice = c.UnitPrice, PackageSize = c.PackageSize,
        PackagePrice = c.PackagePrice,
        Tiers = c.Tiers?.Select(t => new PlanPriceTier { UpTo = t.UpTo, UnitPrice = t.UnitPrice, FlatFee = t.FlatFee }).ToList(),
    };

    public static AccountResponse ToResponse(this Billing.Catalogue.Account a) =>
        new(a.Id, a.Name, a.BillingEmail, new AccountAddress(a.Address.Line1, a.Address.Line2, a.Address.City, a.Address.PostalCode, a.Address.Country),
            a.Currency, a.PlanId, a.PlanCode, a.TaxRate, a.StripeCustomerId, a.ExternalRef, a.Issuer, a.Active, a.CreatedAt,
            a.BillingStartsOn, a.BillingEndsOn);

    public static ChargeResponse ToResponse(this Billing.Catalogue.Charge c) =>
        new(c.Id, c.AccountId, c.Period, c.Description, c.Quantity, c.UnitPrice, c.IdempotencyKey, c.CreatedAt);

    public static UsageAccepted ToResponse(this Billing.Catalogue.UsageBatchResult u) =>
        new(u.Accepted, u.Duplicates, u.Late.Select(l => new LateUsage(l.IdempotencyKey, l.Period, l.Reason, l.BilledWith)).ToList());

    public static Billing.Api.Contracts.AccountHistoryEntry ToResponse(this Billing.Catalogue.AccountHistoryEntry h) =>
        new(h.ChangedAt, h.ChangedBy, h.Field, h.OldValue, h.NewValue);

    public static RunInfo ToResponse(this RunRow r) =>
        new(r.Id, r.Period, r.Status, r.Accounts, r.RequestedBy, r.TraceId, r.StartedAt, r.FannedOutAt, r.CompletedAt, r.CancelledAt, r.CancelledBy);

    public static InvoiceSummary ToSummary(this InvoiceRow i) =>
        new(i.Id, i.RunId, i.AccountId, i.Period, i.Number, i.Currency, i.TotalMinor, i.Status, i.EmailStatus, i.SyncedAt);

    public static InvoiceLine ToResponse(this InvoiceLineRow l) =>
        new(l.LineNo, l.Kind, l.Component, l.Description, l.Quantity, l.UnitPrice, l.AmountMinor, l.ParentLineNo);

    /// <summary>The credit notes of an invoice as GET /api/invoices/{id} shows them.</summary>
    public static InvoiceCredits Credits(IReadOnlyList<CreditNoteRow> notes, long invoiceTotalMinor, string currency)
    {
        var credited = notes.Sum(n => n.TotalMinor);
        return new InvoiceCredits(credited, invoiceTotalMinor - credited, MoneyText.Format(credited, currency),
            MoneyText.Format(invoiceTotalMinor - credited, currency),
            notes.Select(n => new CreditNoteSummary(n.Id, n.Number, n.Reason, n.IssuedAt, n.SubtotalMinor, n.TaxMinor, n.TotalMinor,
                n.EmailStatus, n.SyncedAt)).ToList());
    }

    public static CreditNoteResponse ToResponse(this CreditNoteRow n, IReadOnlyList<CreditNoteLineRow>? lines) =>
        new(n.Id, n.InvoiceId, n.InvoiceNumber, n.AccountId, n.Issuer, n.Number, n.Reason, n.Memo, n.Currency.Trim(), n.SubtotalMinor,
            n.TaxRate, n.TaxMinor, n.TotalMinor, MoneyText.Format(n.TotalMinor, n.Currency), n.IssuedAt, n.RequestedBy, n.EmailStatus,
            n.EmailedAt, new PdfInfo(n.PdfKey, n.PdfSha256, n.PdfSize, n.PdfRenderedAt), n.JournalEntryId, n.SyncedAt,
            n.StripeCreditNoteId, n.TraceId,
            lines?.Select(l => new CreditNoteLine(l.LineNo, l.Description, l.Quantity, l.UnitPrice, l.AmountMinor)).ToList());

    public static Suppression ToResponse(this Billing.Mail.EmailSuppression s) => new(s.Email, s.Reason, s.Note, s.CreatedAt);

    public static ApiEmailDelivery ToResponse(this Billing.Mail.EmailDelivery d) =>
        new(d.InvoiceId, d.DeliveryNo, d.Reason, d.State, d.AttemptCount, d.MessageId, d.PdfSha256, d.Recipient, d.AcceptedAt, d.Error,
            d.RequestId, d.RequestedBy, d.CreatedAt, d.UpdatedAt);

    public static ErrorAffectedCounts ToResponse(this AffectedCounts a) => new(a.Invoices, a.Accounts, a.Runs, a.Keys);

    public static ApiAffectedSubject ToResponse(this Billing.Errors.Infrastructure.AffectedSubject s) =>
        new(s.Subject, s.Occurrences, s.FirstSeenAt, s.LastSeenAt);

    public static ErrorSummary ToSummary(this ErrorRecord r, AffectedCounts affected, TraceLinks links) =>
        new(r.Id, r.Status.ToName(), r.Service, r.MessageType, r.ErrorType, r.Code, r.Stage, r.Message, r.OccurrenceCount,
            affected.ToResponse(), r.InvoiceId, r.AccountId, r.RunId, r.TraceId, links.For(r.TraceId), r.IssueLink, r.CreatedAt, r.LastSeenAt);

    public static ErrorDetail ToDetail(this ErrorRecord r, AffectedCounts counts, ErrorAffected? affected, TraceLinks links) =>
        new(r.Id, r.Fingerprint, r.Status.ToName(), ErrorTransitions.AllowedFrom(r.Status).Select(s => s.ToName()).ToList(), r.Service,
            r.MessageType, r.ErrorType, r.Code, r.Stage, r.Message, r.OccurrenceCount, counts.ToResponse(), affected, r.InvoiceId,
            r.AccountId, r.RunId, r.TraceId, links.For(r.TraceId), r.IssueLink, r.Notes, r.Backtrace,
            r.Payload is null ? null : JsonDocument.Parse(r.Payload).RootElement.Clone(), r.CreatedAt, r.UpdatedAt, r.LastSeenAt, r.ResolvedAt);

    public static DlqGroup ToResponse(this MessageGroup g) =>
        new(g.Key.Id, g.Key.ExceptionType, g.Key.MessageType, g.Key.FirstFrame, g.Count, g.FirstSeen, g.LastSeen, g.SampleReason, g.SampleMessageId);

    public static DlqMessage ToResponse(this DeadLetterMessage m, TraceLinks links) =>
        new(m.MessageId, m.MessageType, m.ExceptionType, m.FaultReason, m.Group.FirstFrame, m.StackTrace, m.RetryCount, m.FaultedAt,
            m.SentAt, m.OriginalQueue, m.ConsumerType, m.BusinessKeys, m.TraceId, links.For(m.TraceId), m.RedriveCount, m.Group.Id,
            m.CorrelationId, m.ConversationId, m.BodySize);

    public static DlqFilter ToResponse(this RedriveFilter f) =>
        new(f.MessageIds, f.GroupId, f.ExceptionType, f.MessageType, f.BusinessKey, f.From, f.To);

    public static RedriveJobResponse ToResponse(this RedriveJob j) =>
        new(j.Id, j.Queue, j.Filter.ToResponse(), j.Rate, j.BatchSize, j.Limit, j.RequestedBy, j.State, j.CancelRequested, j.Total, j.Moved,
            j.Skipped, j.Failed, j.Parked, j.Attempts, j.CreatedAt, j.StartedAt, j.CompletedAt, j.Error);

    /// <summary>The stored filter (written with <see cref="RedriveJob.FilterJson"/>) in the API's snake_case shape.</summary>
    public static DlqAuditEntry ToResponse(this RedriveAuditEntry e) =>
        new(e.Id, e.Action, e.Queue, e.RequestedBy,
            (JsonSerializer.Deserialize<RedriveFilter>(e.FilterJson, RedriveJob.FilterJson) ?? RedriveFilter.All).ToResponse(),
            e.DryRun, e.Rate, e.Total, e.Moved, e.Skipped, e.Failed, e.Parked, e.Outcome, e.Error, e.StartedAt, e.FinishedAt);

    public static RedriveFilter ToFilter(this DlqFilterRequest b) => new()
    {
        MessageIds = b.MessageIds, GroupId = b.GroupId, ExceptionType = b.ExceptionType, MessageType = b.MessageType,
        BusinessKey = b.BusinessKey, From = b.From, To = b.To,
    };

    /// <summary>The problems of a filter body by field; for a redrive also of its pace.</summary>
    public static Dictionary<string, string[]> Validate(this DlqFilterRequest b, bool forRedrive)
    {
        var errors = new Dictionary<string, string[]>();
        if (forRedrive)
        {
            if (b.Rate is { } rate && (double.IsNaN(rate) || rate <= 0 || rate > 1_000_000))
                errors["rate"] = ["rate must be between 0 (exclusive) and 1000000 messages per second; leave it out for unthrottled"];
            if (b.BatchSize is < 1 or > 10_000) errors["batch_size"] = ["batch_size must be between 1 and 10000"];
            if (b.Limit is < 1) errors["limit"] = ["limit must be at least 1"];
        }
        var filter = b.ToFilter();
        try
        {
            filter.Validate();
        }
        catch (ArgumentException e)
        {
            errors[FieldOf(e.ParamName)] = [e.Message.Split(" (Parameter", 2)[0]];
        }
        if (filter.IsEmpty && b.All != true && !errors.ContainsKey("message_ids"))
            errors["all"] = ["the filter is empty: give message_ids, group_id, exception_type, message_type, business_key, from or to, or set all: true to take every message"];
        return errors;
    }

    private static string FieldOf(string? param) => param switch
    {
        nameof(RedriveFilter.MessageIds) => "message_ids",
        nameof(RedriveFilter.BusinessKey) => "business_key",
        nameof(RedriveFilter.From) => "from",
        nameof(RedriveFilter.To) => "to",
        _ => "filter",
    };
}
