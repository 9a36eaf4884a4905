using Billing.Bench.Redrive;
using Billing.Redrive.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Billing.Redrive.Tests;

/// <summary>
/// Prints throughput; asserts only that everything was moved. REDRIVE_BENCH_MESSAGES (default 2000) and
/// REDRIVE_BENCH_RATE (default 500) size a full run, e.g. 50000 and 500.
/// </summary>
public sealed class When_benchmarking_a_redrive(ITestOutputHelper output)
{
    [Fact]
    public async Task Prints_unthrottled_and_throttled_rates()
    {
        var messages = int.Parse(Environment.GetEnvironmentVariable("REDRIVE_BENCH_MESSAGES") ?? "2000");
        var rate = double.Parse(Environment.GetEnvironmentVariable("REDRIVE_BENCH_RATE") ?? "500", System.Globalization.CultureInfo.InvariantCulture);
        var writer = new StringWriter();

        var result = await RedriveBenchmark.RunAsync(Servers.Amqp, Servers.Management, messages, rate, writer);

        output.WriteLine(writer.ToString());
        Assert.Equal(messages, result.Messages);
        Assert.True(result.UnthrottledRate > 0);
        Assert.NotNull(result.ThrottledRate);
    }

    [Fact]
    public async Task Refuses_nonsense_sizes()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RedriveBenchmark.RunAsync(Servers.Amqp, Servers.Management, 0, null, TextWriter.Null));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RedriveBenchmark.RunAsync(Servers.Amqp, Servers.Management, 10, -1, TextWriter.Null));
    }
}
