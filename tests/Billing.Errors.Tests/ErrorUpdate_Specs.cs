namespace Billing.Errors.Tests;

public class When_an_operator_updates_an_error
{
    [Theory]
    [InlineData("https://github.com/org/billing/issues/42")]
    [InlineData("http://tracker.internal/BILL-7")]
    [InlineData("")]
    public void Accepts_an_absolute_http_link_or_a_cleared_one(string link)
    {
        Assert.Empty(ErrorUpdateRules.Validate(ErrorStatus.Open, new ErrorUpdate(IssueLink: link)));
    }

    [Theory]
    [InlineData("github.com/org/billing/issues/42")]
    [InlineData("/issues/42")]
    [InlineData("ftp://tracker/42")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://")]
    [InlineData("not a url")]
    public void Refuses_a_link_that_is_not_an_absolute_http_url(string link)
    {
        var errors = ErrorUpdateRules.Validate(ErrorStatus.Open, new ErrorUpdate(IssueLink: link));
        Assert.StartsWith("issue_link must be an absolute http or https URL", errors["issue_link"]);
    }

    [Fact]
    public void Refuses_notes_over_the_limit_and_accepts_them_at_it()
    {
        Assert.Empty(ErrorUpdateRules.Validate(ErrorStatus.Open, new ErrorUpdate(Notes: new string('x', ErrorUpdateRules.MaxNotesLength))));
        var errors = ErrorUpdateRules.Validate(ErrorStatus.Open, new ErrorUpdate(Notes: new string('x', ErrorUpdateRules.MaxNotesLength + 1)));
        Assert.Equal("notes must be at most 4000 characters (got 4001)", errors["notes"]);
    }

    [Fact]
    public void Names_each_bad_field()
    {
        var errors = ErrorUpdateRules.Validate(ErrorStatus.Resolved, new ErrorUpdate("open", new string('x', 5000), "nope"));
        Assert.Equal(["issue_link", "notes", "status"], errors.Keys.Order());
        Assert.Equal("cannot move from resolved to open; allowed: none", errors["status"]);
    }

    [Fact]
    public void Refuses_an_unknown_status()
    {
        var errors = ErrorUpdateRules.Validate(ErrorStatus.Open, new ErrorUpdate("closed"));
        Assert.Equal("unknown status 'closed'; known: open, needs_attention, in_progress, resolved", errors["status"]);
    }

    [Fact]
    public void Treats_the_current_status_as_no_change()
    {
        // PATCH is retried by clients; repeating the last step must not fail.
        Assert.Empty(ErrorUpdateRules.Validate(ErrorStatus.InProgress, new ErrorUpdate("in_progress")));
        Assert.Empty(ErrorUpdateRules.Validate(ErrorStatus.Open, new ErrorUpdate("needs_attention")));
    }
}
