using System.Text.Json;
using Billing.RedriveService.Tests.Infrastructure;

namespace Billing.RedriveService.Tests;

/// <summary>The admin API process (no redrive service: nothing may be queued anyway) over three dead-lettered messages.</summary>
public sealed class BadInputFixture : IAsyncLifetime
{
    public const string Target = "bad-input";
    public const string Error = Target + "_error";

    public DlqEnvironment Env { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Env = await DlqEnvironment.StartAsync("dlqbad", redriveService: false);
        await using var connection = await Env.Vhost.ConnectAsync();
        await AmqpQueues.DeclareAsync(connection, Target, Error);
        await AmqpQueues.PublishAsync(connection, Error, Enumerable.Range(0, 3)
            .Select(_ => DeadLetterFaults.Make(Env.Vhost.Name, Target, Guid.NewGuid().ToString(), "System.TimeoutException", Guid.NewGuid())));
    }

    public async Task DisposeAsync() => await Env.DisposeAsync();
}

public sealed class When_a_dead_letter_request_is_wrong(BadInputFixture fixture) : IClassFixture<BadInputFixture>
{
    private const string Target = BadInputFixture.Target;
    private const string Error = BadInputFixture.Error;
    private readonly DlqEnvironment env = fixture.Env;

    public static TheoryData<string, object, string> BadRedrives() => new()
    {
        { Error, new { }, "all" },
        { Error, new { all = false }, "all" },
        { Error, new { all = true, rate = -5 }, "rate" },
        { Error, new { all = true, rate = 0 }, "rate" },
        { Error, new { all = true, batch_size = 0 }, "batch_size" },
        { Error, new { all = true, limit = 0 }, "limit" },
        { Error, new { message_ids = Array.Empty<string>() }, "message_ids" },
        { Error, new { business_key = "accountId" }, "business_key" },
        { Error, new { from = "2026-10-02T00:00:00Z", to = "2026-10-01T00:00:00Z" }, "from" },
        { Target, new { all = true }, "queue" },
        { Target, new { all = true, dry_run = true }, "queue" },
    };

    [Theory]
    [MemberData(nameof(BadRedrives))]
    public async Task Refuses_a_bad_redrive_naming_the_field_and_moves_nothing(string queue, object body, string field)
    {
        var (status, problem, contentType) = await env.PostAsync($"/api/dlq/{queue}/redrive", body);

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(3, await env.CountAsync(Error));
        Assert.Equal(0, await env.CountAsync(Target));
        Assert.Empty((await env.GetJsonAsync("/api/dlq/audit")).GetProperty("entries").EnumerateArray());
    }

    [Theory]
    [InlineData("GET", "/api/dlq/nope_error/messages")]
    [InlineData("GET", "/api/dlq/nope_error/groups")]
    [InlineData("POST", "/api/dlq/nope_error/redrive")]
    [InlineData("POST", "/api/dlq/nope_error/redrive?dry")]
    [InlineData("POST", "/api/dlq/nope_error/archive")]
    [InlineData("POST", "/api/dlq/nope_error/purge")]
    [InlineData("GET", "/api/dlq/jobs/00000000-0000-0000-0000-000000000001")]
    [InlineData("POST", "/api/dlq/jobs/00000000-0000-0000-0000-000000000001/cancel")]
    public async Task Answers_404_for_an_unknown_queue_or_job(string method, string path)
    {
        int status;
        string? contentType;
        if (method == "GET")
        {
            using var client = env.Client();
            var response = await client.GetAsync(path);
            (status, contentType) = ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType);
        }
        else
        {
            object body = path.EndsWith("/purge", StringComparison.Ordinal) ? new { confirm_queue = "nope_error", expected_count = 1 }
                : path.EndsWith("?dry", StringComparison.Ordinal) ? new { all = true, dry_run = true } : new { all = true };
            (status, _, contentType) = await env.PostAsync(path.Replace("?dry", "", StringComparison.Ordinal), body);
        }

        Assert.Equal(404, status);
        Assert.Equal("application/problem+json", contentType);
    }

    [Theory]
    [InlineData("/api/dlq/bad-input/messages")]
    [InlineData("/api/dlq/bad-input/groups")]
    [InlineData("/api/dlq/bad-input_error/messages?limit=0")]
    [InlineData("/api/dlq/bad-input_error/messages?limit=5000")]
    public async Task Refuses_to_read_a_live_queue_or_a_bad_limit(string path)
    {
        using var client = env.Client();
        var response = await client.GetAsync(path);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await env.CountAsync(Target));
    }

    [Theory]
    [InlineData("bad-input_errors", 3, "confirm_queue")]
    [InlineData(null, 3, "confirm_queue")]
    [InlineData(Error, 2, "expected_count")]
    [InlineData(Error, 0, "expected_count")]
    public async Task Refuses_a_purge_whose_confirmation_does_not_match(string? confirm, long expected, string field)
    {
        var (status, problem, contentType) = await env.PostAsync($"/api/dlq/{Error}/purge", new { confirm_queue = confirm, expected_count = expected });

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(3, await env.CountAsync(Error));
    }

    [Theory]
    [InlineData("redrive")]
    [InlineData("purge")]
    [InlineData("archive")]
    public async Task Refuses_a_viewer_key_for_writes(string action)
    {
        object body = action == "purge" ? new { confirm_queue = Error, expected_count = 3 } : new { all = true };

        var (status, _, _) = await env.PostAsync($"/api/dlq/{Error}/{action}", body, DlqEnvironment.ViewerKey);
        var listed = await env.GetJsonAsync("/api/dlq", DlqEnvironment.ViewerKey);

        Assert.Equal(403, status);
        Assert.Equal(3, await env.CountAsync(Error));
        Assert.Contains(listed.GetProperty("queues").EnumerateArray(), q => q.GetProperty("queue").GetString() == Error);
    }

    [Fact]
    public async Task The_cli_refuses_an_empty_filter_in_one_line()
    {
        var result = await env.CliAsync("dlq", "redrive", Error, "--yes");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("billing: HTTP 400", result.Stderr.Trim());
        Assert.Contains("all:", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Equal(3, await env.CountAsync(Error));
    }

    [Fact]
    public async Task The_cli_refuses_a_purge_with_the_wrong_count()
    {
        var result = await env.CliAsync("dlq", "purge", Error, "--confirm", Error, "--expected", "7");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("expected_count", result.Stderr);
        Assert.Equal(3, await env.CountAsync(Error));
    }
}
