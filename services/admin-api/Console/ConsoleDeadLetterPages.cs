using System.Globalization;
using System.Text.Json;
using Billing.AdminApi.Endpoints;
using Billing.AdminApi.OperatorConsole.Components;
using Billing.Api.Contracts;
using Billing.Errors;
using Billing.Redrive;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>A field of a console form that was refused: its input's id, its label and why.</summary>
public sealed record FieldError(string Field, string Label, string Message);

/// <summary>
/// A redrive, archive or restore form as typed: which messages (a group, one message, or criteria; <c>All</c> for every
/// one) and, for a redrive, the rate. Sent again as hidden fields from the dry run to its confirmation.
/// </summary>
public sealed record DeadLetterForm(
    string? GroupId = null, string? MessageId = null, string? ExceptionType = null, string? MessageType = null, string? BusinessKey = null,
    string? From = null, string? To = null, bool All = false, string? Rate = null)
{
    public static async Task<DeadLetterForm> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var form = await request.ReadFormAsync(ct);
        string? Text(string name) => form[name].ToString().Trim() is { Length: > 0 } text ? text : null;
        return new DeadLetterForm(Text("group_id"), Text("message_id"), Text("exception_type"), Text("message_type"), Text("business_key"),
            Text("from"), Text("to"), form["all"].ToString() == "true", Text("rate"));
    }

    /// <summary>The hidden fields that send this form on, rate excepted (the confirmation asks for it again).</summary>
    public IEnumerable<(string Name, string Value)> Hidden()
    {
        foreach (var (name, value) in new[]
                 {
                     ("group_id", GroupId), ("message_id", MessageId), ("exception_type", ExceptionType), ("message_type", MessageType),
                     ("business_key", BusinessKey), ("from", From), ("to", To), ("all", All ? "true" : null),
                 })
            if (value is not null) yield return (name, value);
    }

    /// <summary>The API's request for this form, checked by the API's own rules; <paramref name="errors"/> name the console's fields.</summary>
    public DlqFilterRequest ToRequest(bool forRedrive, List<FieldError> errors)
    {
        double? rate = null;
        if (forRedrive && Rate is not null)
        {
            if (double.TryParse(Rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) rate = parsed;
            else errors.Add(Error("rate", $"'{Rate}' is not a number of messages per second, e.g. 50"));
        }
        var request = new DlqFilterRequest
        {
            GroupId = GroupId, MessageIds = MessageId is null ? null : [MessageId], ExceptionType = ExceptionType, MessageType = MessageType,
            BusinessKey = BusinessKey, From = Time("from", From, errors), To = Time("to", To, errors), All = All ? true : null, Rate = rate,
        };
        if (errors.Count > 0) return request;
        foreach (var (field, messages) in request.Validate(forRedrive))
            errors.Add(field == "all"
                ? Error("all", "no message is chosen: pick a group or a message, give at least one criterion, or tick “Every message in the queue”")
                : Error(field, string.Join("; ", messages)));
        return request;
    }

    private static DateTimeOffset? Time(string field, string? text, List<FieldError> errors)
    {
        if (text is null) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        errors.Add(Error(field, $"'{text}' is not a date and time, e.g. 2026-11-01T08:00 (UTC)"));
        return null;
    }

    public static FieldError Error(string field, string message) => new(field, Label(field), message);

    public static string Label(string field) => field switch
    {
        "group_id" => "Group",
        "message_id" or "message_ids" => "Message",
        "exception_type" => "Exception type",
        "message_type" => "Message type",
        "business_key" => "Business key (name=value)",
        "from" => "From (UTC)",
        "to" => "To (UTC)",
        "all" or "filter" => "Messages",
        "rate" => "Rate (messages per second)",
        "confirm_queue" => "Queue name",
        "expected_count" => "Message count",
        _ => field,
    };

    /// <summary>What the form picks, in words.</summary>
    public string Describe() => ConsoleDeadLetterPages.Describe(ToRequestUnchecked().ToFilter());

    private DlqFilterRequest ToRequestUnchecked() => ToRequest(false, []);
}

public sealed record DeadLetterListModel(
    IReadOnlyList<DeadLetterQueueInfo> Queues, string? BrokerError, IReadOnlyList<RedriveAuditEntry> Audit, int AuditTotal, int AuditOffset);

/// <summary>A queue's page: its groups and one page of its messages (of one group when <c>Group</c> is set).</summary>
public sealed record DeadLetterQueueModel(
    string Queue, DeadLetterKind Kind, long Count, IReadOnlyList<MessageGroup> Groups, DeadLetterPage Page, string? Group, string? After,
    long? ArchiveCount, DateTimeOffset ReadAt)
{
    public string Source => QueueNames.SourceOf(Queue);

    /// <summary>The queue an archive or restore form names: the dead-letter queue, also on its archive's page.</summary>
    public string DeadLetterQueue => Kind == DeadLetterKind.Archive ? Source : Queue;
}

/// <summary>
/// The console's pages for: Dead-letter queues, their messages and redrives. Every read and write goes through the same
/// library calls and checks as <c>/api/dlq</c> (<see cref="DlqOperations"/>, <see cref="DeadLetterInspector"/>,
/// <see cref="Redriver"/>, the job and audit stores); a refused form writes nothing and names its field.
/// </summary>
public static class ConsoleDeadLetterPages
{
    public const int MessagesPerPage = 50;
    public const int AuditPerPage = 25;
    private const string Root = ConsolePaths.Root + "/dead-letters";

    public static void Map(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/dead-letters", ListAsync);
        read.MapGet("/dead-letters/jobs/{id:guid}", JobAsync);
        read.MapGet("/dead-letters/jobs/{id:guid}/live", JobLiveAsync);
        ConsoleForms.Form(write.MapPost("/dead-letters/jobs/{id:guid}/cancel", CancelAsync));
        read.MapGet("/dead-letters/{queue}", QueueAsync);
        read.MapGet("/dead-letters/{queue}/messages/{messageId}", MessageAsync);
        ConsoleForms.Form(write.MapPost("/dead-letters/{queue}/redrive/plan", PlanAsync));
        ConsoleForms.Form(write.MapPost("/dead-letters/{queue}/redrive", RedriveAsync));
        ConsoleForms.Form(write.MapPost("/dead-letters/{queue}/archive", (HttpContext http, string queue, Redriver redriver, DeadLetterQueues queues,
            DeadLetterInspector inspector, CancellationToken ct) => MoveAsync(http, queue, restore: false, redriver, queues, inspector, ct)));
        ConsoleForms.Form(write.MapPost("/dead-letters/{queue}/restore", (HttpContext http, string queue, Redriver redriver, DeadLetterQueues queues,
            DeadLetterInspector inspector, CancellationToken ct) => MoveAsync(http, queue, restore: true, redriver, queues, inspector, ct)));
        ConsoleForms.Form(write.MapPost("/dead-letters/{queue}/purge", PurgeAsync));
    }

    public static string QueueUrl(string queue) => $"{Root}/{Uri.EscapeDataString(queue)}";

    public static string MessageUrl(string queue, string messageId) => $"{QueueUrl(queue)}/messages/{Uri.EscapeDataString(messageId)}";

    public static string JobUrl(Guid id) => $"{Root}/jobs/{id}";

    private static string Who(HttpContext http) => http.User.Identity?.Name ?? "unknown";

    private static RazorComponentResult UnknownQueue(HttpContext http, string queue) =>
        ConsolePages.Error(http, StatusCodes.Status404NotFound, "Queue not found",
            DlqOperations.NotDeadLetter(queue) is { } problem ? $"Queue: {problem.Message}." : $"There is no dead-letter queue {queue} in this virtual host.");

    private static async Task<RazorComponentResult> ListAsync(HttpContext http, string? audit, DeadLetterQueues queues, RedriveAuditStore store,
        ILoggerFactory logs, CancellationToken ct)
    {
        var offset = int.TryParse(audit, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
        IReadOnlyList<DeadLetterQueueInfo> list = [];
        string? error = null;
        try
        {
            list = await queues.ListAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logs.CreateLogger("Billing.AdminApi.Console").LogWarning(e, "Dead-letter queues could not be read");
            error = $"The dead-letter queues could not be read: {e.Message}";
        }
        var entries = await store.ListAsync(null, AuditPerPage, offset, ct);
        var total = await store.CountAsync(null, ct);
        return ConsolePages.Render<DeadLetterListPage>(new
        {
            User = ConsoleUser.From(http.User),
            Model = new DeadLetterListModel(list, error, entries, total, offset),
        });
    }

    private static async Task<IResult> QueueAsync(HttpContext http, string queue, string? group, string? after, DeadLetterQueues queues,
        DeadLetterInspector inspector, CancellationToken ct)
    {
        if (await QueueModelAsync(http, queue, group, after, queues, inspector, ct) is not { } model) return UnknownQueue(http, queue);
        return QueuePage(http, model, null, [], StatusCodes.Status200OK);
    }

    private static async Task<DeadLetterQueueModel?> QueueModelAsync(HttpContext http, string queue, string? group, string? after, DeadLetterQueues queues,
        DeadLetterInspector inspector, CancellationToken ct)
    {
        var reads = http.RequestServices.GetRequiredService<ConsoleDeadLetters>();
        if (QueueNames.KindOf(queue) is not { } kind || await queues.CountAsync(queue, ct) is not { } count) return null;
        group = string.IsNullOrWhiteSpace(group) ? null : group.Trim();
        after = string.IsNullOrWhiteSpace(after) ? null : after;
        try
        {
            // One read of the queue for both (the groups need every message anyway), kept while the queue's count stays.
            var (groups, page, readAt) = await reads.QueueAsync(inspector, queue, count, group, after, MessagesPerPage, ct);
            long? archived = kind == DeadLetterKind.Archive ? null : await queues.CountAsync(QueueNames.Archive(queue), ct);
            return new DeadLetterQueueModel(queue, kind, count, groups, page, group, after, archived, readAt);
        }
        catch (QueueNotFoundException)
        {
            return null;
        }
    }

    private static RazorComponentResult QueuePage(HttpContext http, DeadLetterQueueModel model, DeadLetterForm? form, IReadOnlyList<FieldError> errors,
        int status, string? confirmQueue = null) =>
        ConsolePages.Render<DeadLetterQueuePage>(new
        {
            User = ConsoleUser.From(http.User),
            Model = model,
            Form = form ?? new DeadLetterForm(),
            Errors = errors,
            ConfirmQueue = confirmQueue,
            Done = http.Request.Query["done"].ToString(),
        }, status);

    private static async Task<IResult> MessageAsync(HttpContext http, string queue, string messageId, DeadLetterQueues queues,
        DeadLetterInspector inspector, TraceLinks links, CancellationToken ct)
    {
        if (QueueNames.KindOf(queue) is null || await queues.CountAsync(queue, ct) is null) return UnknownQueue(http, queue);
        DeadLetterDetail? detail;
        try { detail = await inspector.FindAsync(queue, messageId, ct); }
        catch (QueueNotFoundException) { return UnknownQueue(http, queue); }
        if (detail is null)
            return ConsolePages.Error(http, StatusCodes.Status404NotFound, "Message not found",
                $"There is no message {messageId} in {queue}: it may have been redriven, archived or purged meanwhile.");
        return ConsolePages.Render<DeadLetterMessagePage>(new
        {
            User = ConsoleUser.From(http.User),
            Queue = queue,
            Detail = detail,
            TraceUrl = links.For(detail.Message.TraceId),
        });
    }

    /// <summary>The dry run: what a redrive of the form's messages would do, recorded in the audit log as the API records it, and the confirmation form.</summary>
    private static async Task<IResult> PlanAsync(HttpContext http, string queue, Redriver redriver, RedriveAuditStore audit, DeadLetterQueues queues,
        DeadLetterInspector inspector, TimeProvider clock, CancellationToken ct)
    {
        if (QueueNames.KindOf(queue) is null) return UnknownQueue(http, queue);
        var form = await DeadLetterForm.ReadAsync(http.Request, ct);
        var errors = new List<FieldError>();
        var request = form.ToRequest(forRedrive: true, errors);
        if (errors.Count > 0)
            return await QueueModelAsync(http, queue, null, null, queues, inspector, ct) is { } model
                ? QueuePage(http, model, form, errors, StatusCodes.Status400BadRequest)
                : UnknownQueue(http, queue);
        RedrivePlan plan;
        try { plan = await DlqOperations.DryRunAsync(queue, request, Who(http), redriver, audit, clock, ct); }
        catch (QueueNotFoundException) { return UnknownQueue(http, queue); }
        return ConsolePages.Render<DeadLetterRedrivePage>(new { User = ConsoleUser.From(http.User), Queue = queue, Form = form, Plan = plan });
    }

    /// <summary>The confirmation: queues the job as <c>POST /api/dlq/{queue}/redrive</c> does and shows its progress.</summary>
    private static async Task<IResult> RedriveAsync(HttpContext http, string queue, DeadLetterQueues queues, RedriveJobStore jobs, CancellationToken ct)
    {
        if (QueueNames.KindOf(queue) is null) return UnknownQueue(http, queue);
        var form = await DeadLetterForm.ReadAsync(http.Request, ct);
        var errors = new List<FieldError>();
        var request = form.ToRequest(forRedrive: true, errors);
        if (errors.Count > 0)
            return ConsolePages.Render<DeadLetterRedrivePage>(new { User = ConsoleUser.From(http.User), Queue = queue, Form = form, Errors = errors },
                StatusCodes.Status400BadRequest);
        return await DlqOperations.QueueJobAsync(queue, request, Who(http), queues, jobs, ct) is { } id
            ? ConsoleForms.SeeOther(JobUrl(id))
            : UnknownQueue(http, queue);
    }

    private static async Task<IResult> MoveAsync(HttpContext http, string queue, bool restore, Redriver redriver, DeadLetterQueues queues,
        DeadLetterInspector inspector, CancellationToken ct)
    {
        if (QueueNames.KindOf(queue) is null) return UnknownQueue(http, queue);
        var form = await DeadLetterForm.ReadAsync(http.Request, ct);
        var errors = new List<FieldError>();
        if (DlqOperations.IsArchive(queue) is { } archived) errors.Add(DeadLetterForm.Error(archived.Field, archived.Message));
        var request = form.ToRequest(forRedrive: false, errors);
        var source = restore ? QueueNames.Archive(queue) : queue;
        if (await queues.CountAsync(source, ct) is null) return UnknownQueue(http, source);
        if (errors.Count > 0)
            return await QueueModelAsync(http, source, null, null, queues, inspector, ct) is { } model
                ? QueuePage(http, model, form, errors, StatusCodes.Status400BadRequest)
                : UnknownQueue(http, source);
        var result = restore
            ? await redriver.RestoreAsync(queue, Who(http), request.ToFilter(), null, ct)
            : await redriver.ArchiveAsync(queue, Who(http), request.ToFilter(), null, ct);
        return ConsoleForms.SeeOther($"{QueueUrl(source)}?done={(restore ? "restored" : "archived")}-{result.Moved}");
    }

    /// <summary>Deletes the queue's messages once its name is typed again and it still holds the number shown (the API's checks).</summary>
    private static async Task<IResult> PurgeAsync(HttpContext http, string queue, Redriver redriver, DeadLetterQueues queues, DeadLetterInspector inspector,
        CancellationToken ct)
    {
        if (QueueNames.KindOf(queue) is null) return UnknownQueue(http, queue);
        var form = await http.Request.ReadFormAsync(ct);
        var confirm = form["confirm_queue"].ToString().Trim();
        long? expected = long.TryParse(form["expected_count"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        var problem = DlqOperations.PurgeProblem(queue, confirm, expected);
        if (problem is null)
        {
            try
            {
                var purged = await redriver.PurgeAsync(queue, confirm, expected!.Value, Who(http), ct);
                return ConsoleForms.SeeOther($"{QueueUrl(queue)}?done=purged-{purged}");
            }
            catch (QueueNotFoundException) { return UnknownQueue(http, queue); }
            catch (PurgeRefusedException e) { problem = new DlqProblem("expected_count", e.Message); }
        }
        return await QueueModelAsync(http, queue, null, null, queues, inspector, ct) is { } model
            ? QueuePage(http, model, null, [DeadLetterForm.Error(problem.Field, problem.Message)], StatusCodes.Status400BadRequest, confirm)
            : UnknownQueue(http, queue);
    }

    private static async Task<RazorComponentResult> JobAsync(HttpContext http, Guid id, RedriveJobStore jobs, TimeProvider clock, CancellationToken ct) =>
        await jobs.GetAsync(id, ct) is { } job
            ? ConsolePages.Render<DeadLetterJobPage>(new { User = ConsoleUser.From(http.User), Job = job, At = clock.GetUtcNow() })
            : UnknownJob(http, id);

    private static async Task<RazorComponentResult> JobLiveAsync(HttpContext http, Guid id, RedriveJobStore jobs, CancellationToken ct) =>
        await jobs.GetAsync(id, ct) is { } job
            ? ConsolePages.Render<DeadLetterJobLive>(new { User = ConsoleUser.From(http.User), Job = job })
            : UnknownJob(http, id);

    /// <summary>Asks the job to stop as <c>POST /api/dlq/jobs/{id}/cancel</c> does; a job already over is shown as it ended.</summary>
    private static async Task<IResult> CancelAsync(HttpContext http, Guid id, RedriveJobStore jobs, CancellationToken ct)
    {
        if (await jobs.RequestCancelAsync(id, ct) is null && await jobs.GetAsync(id, ct) is null) return UnknownJob(http, id);
        return ConsoleForms.SeeOther(JobUrl(id));
    }

    private static RazorComponentResult UnknownJob(HttpContext http, Guid id) =>
        ConsolePages.Error(http, StatusCodes.Status404NotFound, "Redrive job not found", $"There is no redrive job {id}.");

    /// <summary>A stored filter (<c>redrive_audit.filter</c>) in words.</summary>
    public static string Describe(string filterJson) =>
        Describe(JsonSerializer.Deserialize<RedriveFilter>(filterJson, RedriveJob.FilterJson) ?? RedriveFilter.All);

    public static string Describe(RedriveFilter f)
    {
        if (f.IsEmpty) return "every message";
        var parts = new List<string>();
        if (f.MessageIds is { } ids) parts.Add((ids.Count == 1 ? "message " : "messages ") + string.Join(", ", ids));
        if (f.GroupId is { } g) parts.Add("group " + g);
        if (f.ExceptionType is { } e) parts.Add("exception " + e);
        if (f.MessageType is { } t) parts.Add("type " + t);
        if (f.BusinessKey is { } k) parts.Add(k);
        if (f.From is { } from) parts.Add("from " + ConsoleText.Utc(from));
        if (f.To is { } to) parts.Add("before " + ConsoleText.Utc(to));
        return string.Join("; ", parts);
    }

    /// <summary>The console page of an invoice, account or run a message names (invoiceId, accountId, runId), when its value is an id.</summary>
    public static IEnumerable<(string Label, string Value, string? Url)> Subjects(DeadLetterMessage m)
    {
        foreach (var (key, label, path) in new[] { ("invoiceId", "Invoice", "invoices"), ("accountId", "Account", "accounts"), ("runId", "Run", "runs") })
            if (m.BusinessKeys.TryGetValue(key, out var value))
                yield return (label, value, Guid.TryParse(value, out var id) && id != Guid.Empty ? $"{ConsolePaths.Root}/{path}/{id}" : null);
        if (m.BusinessKeys.TryGetValue("period", out var period)) yield return ("Period", period, null);
    }

    /// <summary>The body as indented JSON when it is JSON, else as it is.</summary>
    public static string Pretty(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return JsonSerializer.Serialize(doc.RootElement, PrettyJson);
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private static readonly JsonSerializerOptions PrettyJson = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A job's state in words with a symbol (readable without colour) and the badge's colour class.</summary>
    public static (string Symbol, string Label, string Css) JobState(string state) => state switch
    {
        RedriveJobStates.Queued => ("…", "Queued", "running"),
        RedriveJobStates.Running => ("▶", "Running", "running"),
        RedriveJobStates.Completed => ("✓", "Done", "completed"),
        RedriveJobStates.Cancelled => ("■", "Cancelled", "cancelled"),
        RedriveJobStates.Failed => ("✗", "Failed", "attention"),
        _ => ("?", state, "unknown"),
    };

    /// <summary>"50 messages/s", or "as fast as the broker takes them".</summary>
    public static string Rate(double? rate) =>
        rate is { } r ? r.ToString("0.##", CultureInfo.InvariantCulture) + " messages/s" : "unthrottled";

    /// <summary>The type's name without its urn: <c>urn:message:Billing.Contracts:GenerateInvoice</c> → <c>GenerateInvoice</c>.</summary>
    public static string ShortType(string? messageType) =>
        string.IsNullOrEmpty(messageType) ? "—" : messageType[(messageType.LastIndexOf(':') + 1)..];
}
