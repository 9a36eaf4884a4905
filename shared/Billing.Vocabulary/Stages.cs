namespace Billing.Vocabulary;

/// <summary>
/// The steps of an invoice's life, in order: the names run progress, stage failures (<c>stage_failures.stage</c>),
/// the error log and the <c>stage</c> tag of the pipeline metrics all use.
/// </summary>
public static class Stages
{
    public const string Generate = "generate";
    public const string Render = "render";
    public const string Email = "email";
    public const string Sync = "sync";
    public const string Stripe = "stripe";

    /// <summary>In the order an invoice goes through them.</summary>
    public static readonly IReadOnlyList<string> All = [Generate, Render, Email, Sync, Stripe];

    public static bool IsKnown(string? stage) => stage is Generate or Render or Email or Sync or Stripe;

    /// <summary>Position in <see cref="All"/>; unknown stages sort last.</summary>
    public static int Order(string stage) => All.IndexOf(stage) is var i and >= 0 ? i : All.Count;

    private static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] == value) return i;
        return -1;
    }
}
