namespace Billing.Errors.Tests;

public class When_moving_an_error_between_statuses
{
    [Theory]
    [InlineData("open", "needs_attention")]
    [InlineData("needs_attention", "in_progress")]
    [InlineData("in_progress", "resolved")]
    [InlineData("open", "resolved")]
    public void Allows_the_runbook_steps(string from, string to)
    {
        Assert.Null(ErrorTransitions.Validate(from, to));
    }

    [Theory]
    [InlineData("open", "in_progress", "cannot move from open to in_progress; allowed: needs_attention, resolved")]
    [InlineData("open", "open", "cannot move from open to open; allowed: needs_attention, resolved")]
    [InlineData("needs_attention", "open", "cannot move from needs_attention to open; allowed: in_progress")]
    [InlineData("needs_attention", "resolved", "cannot move from needs_attention to resolved; allowed: in_progress")]
    [InlineData("in_progress", "open", "cannot move from in_progress to open; allowed: resolved")]
    [InlineData("in_progress", "needs_attention", "cannot move from in_progress to needs_attention; allowed: resolved")]
    [InlineData("resolved", "open", "cannot move from resolved to open; allowed: none")]
    [InlineData("resolved", "in_progress", "cannot move from resolved to in_progress; allowed: none")]
    public void Refuses_other_moves_naming_the_allowed_ones(string from, string to, string expected)
    {
        Assert.Equal(expected, ErrorTransitions.Validate(from, to));
    }

    [Fact]
    public void Refuses_every_move_not_in_the_runbook()
    {
        var allowed = new HashSet<(ErrorStatus, ErrorStatus)>
        {
            (ErrorStatus.Open, ErrorStatus.NeedsAttention), (ErrorStatus.NeedsAttention, ErrorStatus.InProgress),
            (ErrorStatus.InProgress, ErrorStatus.Resolved), (ErrorStatus.Open, ErrorStatus.Resolved),
        };
        foreach (var from in Enum.GetValues<ErrorStatus>())
        foreach (var to in Enum.GetValues<ErrorStatus>())
            Assert.Equal(allowed.Contains((from, to)), ErrorTransitions.Validate(from, to) is null);
    }

    [Theory]
    [InlineData("foo", "open", "unknown status 'foo'; known: open, needs_attention, in_progress, resolved")]
    [InlineData("open", "Resolved", "unknown status 'Resolved'; known: open, needs_attention, in_progress, resolved")]
    [InlineData("open", "needs attention", "unknown status 'needs attention'; known: open, needs_attention, in_progress, resolved")]
    public void Names_the_known_statuses_for_an_unknown_one(string from, string to, string expected)
    {
        Assert.Equal(expected, ErrorTransitions.Validate(from, to));
    }

    [Fact]
    public void Round_trips_the_wire_names()
    {
        foreach (var status in Enum.GetValues<ErrorStatus>())
        {
            Assert.True(ErrorStatuses.TryParse(status.ToName(), out var parsed));
            Assert.Equal(status, parsed);
        }
        Assert.False(ErrorStatuses.TryParse(null, out _));
    }
}
