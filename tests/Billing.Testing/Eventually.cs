namespace Billing.Testing;

public static class Eventually
{
    /// <summary>Polls until the condition holds; fails the test with the last value after the timeout.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T value;
        do
        {
            value = await probe();
            if (done(value)) return value;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"condition not met in time; last value: {value}");
    }

    public static Task<T> UntilValue<T>(Func<T> probe, Func<T, bool> done, TimeSpan? timeout = null) =>
        Until(() => Task.FromResult(probe()), done, timeout);
}
