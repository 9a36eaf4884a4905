namespace Billing.Errors;

/// <summary>A summary in two shapes: Markdown to paste into the tracking issue, and a short chat text.</summary>
public sealed record ErrorSummary(string Title, string Markdown, string SlackText);
