using System.Text.RegularExpressions;
using Billing.EndToEnd.Tests.Infrastructure;
using Billing.Testing;

namespace Billing.EndToEnd.Tests;

/// <summary>Scale out: two processes each of invoice-generator and pdf-renderer share one run's work and nothing is
/// generated, rendered or emailed twice.</summary>
public sealed class When_generator_and_renderer_run_two_instances_each : IAsyncLifetime
{
    private const int Accounts = 60;
    // MassTransit logs every consumed message at Debug: "RECEIVE rabbitmq://…/{queue} {messageId} {type} {consumer}(…)".
    private static readonly Dictionary<string, string?> ConsumeLog = new() { ["Logging__LogLevel__MassTransit"] = "Debug" };
    private Pipeline pipeline = null!;

    public async Task InitializeAsync()
    {
        pipeline = await Pipeline.CreateAsync("e2escale");
        pipeline.StartSmtp();
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await pipeline.StartAllAsync(new Dictionary<string, IDictionary<string, string?>>
        {
            ["invoice-generator"] = ConsumeLog,
            ["pdf-renderer"] = ConsumeLog,
        });
        pipeline.Start("invoice-generator", ConsumeLog);
        pipeline.Start("pdf-renderer", ConsumeLog);
        await pipeline.WaitHealthyAsync();
    }

    public Task DisposeAsync() => pipeline.DisposeAsync().AsTask();

    [Fact]
    public async Task Does_share_the_work_between_the_instances_and_duplicate_nothing()
    {
        foreach (var queue in new[] { "generate-invoice", "render-finalized-invoice" })
            await Eventually.Until(() => pipeline.QueueNumberAsync(queue, "consumers"),
                n => n == 2, TimeSpan.FromMinutes(1));

        var (exit, output) = await pipeline.CliAsync(TimeSpan.FromMinutes(10), "run", "start", "--period", Pipeline.Period, "--watch");
        Assert.True(exit == 0, $"billing run start --watch exited {exit}:\n{output}\n{pipeline.Logs()}");
        var runId = await pipeline.RunIdAsync();
        await pipeline.AssertRunInvariantsAsync(runId, Accounts);

        foreach (var (folder, queue) in new[] { ("invoice-generator", "generate-invoice"), ("pdf-renderer", "render-finalized-invoice") })
        {
            var perInstance = pipeline.Of(folder).Select(p => Received(p.Output, queue)).ToList();
            Assert.Equal(2, perInstance.Count);
            Assert.All(perInstance, n => Assert.True(n > 0, $"{folder}: messages consumed from {queue} per instance: {string.Join(", ", perInstance)}"));
        }
    }

    private static int Received(string output, string queue) =>
        output.Split('\n').Count(line => line.Contains("RECEIVE", StringComparison.Ordinal) &&
                                         Regex.IsMatch(line, $@"/{Regex.Escape(queue)}\b(?!_)"));
}
