using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Billing.Mail.Tests;

public sealed class When_the_pool_sends_many_messages(SmtpServerFixture server) : IClassFixture<SmtpServerFixture>
{
    [Fact]
    public async Task Does_keep_its_connections_open_instead_of_one_per_message()
    {
        using var sender = server.Sender(pool: 3);
        await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            sender.SendAsync(RawEmail.Of("billing@example.com", ["c@example.org"], Encoding.ASCII.GetBytes($"Subject: {i}\r\n\r\nx\r\n")), default)));

        Assert.Equal(60, server.Files().Length);
        Assert.InRange(sender.ConnectionsOpened, 1, 3);
    }
}

public sealed class When_the_server_restarts_between_messages : IAsyncLifetime
{
    private readonly RestartableServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();
    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Does_send_the_next_message_on_a_new_connection_without_a_failure()
    {
        using var sender = _server.Sender(pool: 1);
        await sender.SendAsync(RawEmail.Of("billing@example.com", ["c@example.org"], "Subject: one\r\n\r\nx\r\n"u8.ToArray()), default);
        await _server.RestartAsync(); // the pooled connection is now dead

        await sender.SendAsync(RawEmail.Of("billing@example.com", ["c@example.org"], "Subject: two\r\n\r\nx\r\n"u8.ToArray()), default);

        Assert.Equal(["one", "two"], MaildirReader.Read(_server.Maildir).Select(m => m.Subject).Order(StringComparer.Ordinal));
        Assert.Equal(2, sender.ConnectionsOpened);
    }

    private sealed class RestartableServer : SmtpServerFixture
    {
        public async Task RestartAsync()
        {
            await DisposeProcessAsync();
            await InitializeAsync();
        }
    }
}

public sealed class When_nothing_listens
{
    [Fact]
    public async Task Does_fail_as_a_temporary_smtp_error()
    {
        using var sender = new PooledSmtpSender(new SmtpOptions { Host = "127.0.0.1", Port = ServiceProcess.FreePort(), PoolSize = 1 });

        var ex = await Assert.ThrowsAsync<SmtpSendException>(() =>
            sender.SendAsync(RawEmail.Of("billing@example.com", ["c@example.org"], "Subject: x\r\n\r\nx\r\n"u8.ToArray()), default));

        Assert.False(SmtpErrors.IsPermanent(ex));
        Assert.Contains("cannot connect", SmtpErrors.Describe(ex));
    }
}

public sealed class When_the_server_refuses : IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private string _rcptReply = "";
    private int _dataCommands;
    private Task _serving = Task.CompletedTask;

    public Task InitializeAsync()
    {
        _listener.Start();
        _serving = Task.Run(ServeAsync);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _listener.Stop();
        try { await _serving; } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    // A server that refuses every recipient with the reply the test sets.
    private async Task ServeAsync()
    {
        while (true)
        {
            using var client = await _listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 refuse.test");
            while (await reader.ReadLineAsync() is { } line)
            {
                var verb = line.Split(' ', ':')[0].ToUpperInvariant();
                if (verb == "RCPT") await writer.WriteLineAsync(_rcptReply);
                else if (verb == "DATA") { Interlocked.Increment(ref _dataCommands); await writer.WriteLineAsync("503 no"); }
                else if (verb == "EHLO") { await writer.WriteLineAsync("250-refuse.test"); await writer.WriteLineAsync("250 8BITMIME"); }
                else await writer.WriteLineAsync("250 OK");
            }
        }
    }

    [Theory]
    [InlineData("550 5.1.1 User unknown", true)]
    [InlineData("450 4.2.1 Mailbox busy, try later", false)]
    public async Task Does_tell_a_permanent_refusal_from_a_temporary_one_and_send_no_data(string reply, bool permanent)
    {
        _rcptReply = reply;
        using var sender = new PooledSmtpSender(new SmtpOptions { Host = "127.0.0.1", Port = Port, PoolSize = 1, TimeoutSeconds = 60 });

        var ex = await Assert.ThrowsAsync<SmtpSendException>(() =>
            sender.SendAsync(RawEmail.Of("billing@example.com", ["gone@example.org"], "Subject: x\r\n\r\nx\r\n"u8.ToArray()), default));

        Assert.Equal(permanent, SmtpErrors.IsPermanent(ex));
        Assert.Contains(reply, SmtpErrors.Describe(ex));
        Assert.Equal(0, _dataCommands);
    }
}
