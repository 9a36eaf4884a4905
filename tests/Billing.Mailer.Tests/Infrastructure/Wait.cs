using Billing.Testing;

namespace Billing.Mailer.Tests.Infrastructure;

public static class Wait
{
    /// <summary><see cref="Eventually.UntilValue{T}"/>, failing with what the mailer recorded so the cause is visible.</summary>
    public static async Task<T> For<T>(Func<T> probe, Func<T, bool> done, MailerHarness h, int seconds = 60)
    {
        try
        {
            return await Eventually.UntilValue(probe, done, TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + await h.DescribeAsync(), ex);
        }
    }
}
