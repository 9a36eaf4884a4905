namespace Billing.Errors;

/// <summary>An operator's change to an error (PATCH /api/errors/{id}); null fields are left as they are.
/// Status arrives as its wire name so an unknown one can be reported as such.</summary>
public sealed record ErrorUpdate(string? Status = null, string? Notes = null, string? IssueLink = null);

public static class ErrorUpdateRules
{
    /// <summary>Long enough for a real investigation log, short enough that a summary row stays readable
    /// and a pasted stack trace goes to the backtrace instead.</summary>
    public const int MaxNotesLength = 4000;

    public const int MaxIssueLinkLength = 2000;

    /// <summary>Problems keyed by field name (for problem+json); empty when the update may be applied.</summary>
    public static IReadOnlyDictionary<string, string> Validate(ErrorStatus current, ErrorUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var errors = new Dictionary<string, string>();
        if (update.Status is not null)
        {
            if (!ErrorStatuses.TryParse(update.Status, out var target))
                errors["status"] = ErrorStatuses.UnknownMessage(update.Status);
            else if (target != current && ErrorTransitions.Validate(current, target) is { } refused)
                errors["status"] = refused;
        }
        if (update.Notes is { Length: > MaxNotesLength })
            errors["notes"] = $"notes must be at most {MaxNotesLength} characters (got {update.Notes.Length})";
        if (update.IssueLink is not null && ValidateIssueLink(update.IssueLink) is { } linkError)
            errors["issue_link"] = linkError;
        return errors;
    }

    /// <summary>Null when the link is an absolute http(s) URL with a host; otherwise why not.
    /// An empty string is allowed: it clears the link.</summary>
    public static string? ValidateIssueLink(string link)
    {
        if (link.Length == 0) return null;
        if (link.Length > MaxIssueLinkLength)
            return $"issue_link must be at most {MaxIssueLinkLength} characters";
        if (!Uri.TryCreate(link, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
            return $"issue_link must be an absolute http or https URL, got '{link}'";
        return null;
    }
}
