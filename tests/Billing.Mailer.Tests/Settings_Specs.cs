using Billing.Mail;
using Billing.Testing;

namespace Billing.Mailer.Tests;

public sealed class When_a_mailer_setting_is_malformed
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "Smtp__Port", "0", "mailer: setting Smtp__Port must be a TCP port between 1 and 65535" },
        { "Smtp__Port", "smtp", "mailer: setting Smtp__Port has value 'smtp', which is not a valid Int32" },
        { "Smtp__Host", "", "mailer: setting Smtp__Host is required" },
        { "Smtp__Host", "mail host", "mailer: setting Smtp__Host 'mail host' is not a host name or IP address" },
        { "Smtp__PoolSize", "0", "mailer: setting Smtp__PoolSize must be between 1 and 64" },
        { "Smtp__Username", "billing", "mailer: setting Smtp__Username and Smtp__Password must be set together" },
        { "Smtp__OAuth2TokenFile", "/etc/hostname", "mailer: setting Smtp__OAuth2TokenFile needs Smtp__Username and no Smtp__Password" },
        { "Smtp__TrustedCertificateFile", "/etc/hostname", "mailer: setting Smtp__TrustedCertificateFile needs Smtp__EnableSsl=true" },
        { "Mail__From", "billing at example", "mailer: setting Mail__From 'billing at example' is not an email address" },
        { "Mail__PublicPdfBaseUrl", "ftp://x", "mailer: setting Mail__PublicPdfBaseUrl 'ftp://x' is not an absolute http(s) URL" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Does_exit_2_with_one_line_naming_the_setting(string setting, string value, string expected)
    {
        await using var service = ServiceProcess.Start("mailer", "Billing.Mailer", new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = TestServers.PostgresAdmin,
            ["RabbitMq__Url"] = TestServers.RabbitUrl,
            [setting] = value,
        });
        Assert.Equal(2, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(expected, service.Output);
    }
}

public sealed class When_addresses_and_smtp_replies_are_classified
{
    [Theory]
    [InlineData("jane@example.org", true)]
    [InlineData("jane.doe+billing@mail.example.co.uk", true)]
    [InlineData("", false)]
    [InlineData("jane", false)]
    [InlineData("jane@localhost", false)]
    [InlineData("jane@-example.org", false)]
    [InlineData("jane@example..org", false)]
    [InlineData("Jane <jane@example.org>", false)]
    [InlineData("jane@example.org, joe@example.org", false)]
    [InlineData("ja ne@example.org", false)]
    public void Does_accept_only_plain_deliverable_addresses(string address, bool valid) =>
        Assert.Equal(valid, EmailAddresses.IsValid(address));

    [Theory]
    [InlineData(550, true)]
    [InlineData(554, true)]
    [InlineData(450, false)]
    [InlineData(421, false)]
    [InlineData(0, false)]
    public void Does_treat_only_5xx_replies_as_permanent(int code, bool permanent) =>
        Assert.Equal(permanent, SmtpErrors.IsPermanent(new SmtpSendException("refused", code)));

    [Fact]
    public void Does_not_treat_a_refused_connection_as_permanent() =>
        Assert.False(SmtpErrors.IsPermanent(new System.Net.Sockets.SocketException(111)));
}
