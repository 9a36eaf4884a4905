using System.ComponentModel.DataAnnotations;

namespace Billing.Mail;

/// <summary>The SMTP server the mailer hands invoice emails to (environment variables <c>Smtp__*</c>).</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    // The defaults point at the development server of deploy/local/servers.sh; deployments set both.
    [Required(ErrorMessage = "is required (e.g. 127.0.0.1 or smtp.example.com)")]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535, ErrorMessage = "must be a TCP port between 1 and 65535")]
    public int Port { get; set; } = 2525;

    /// <summary>STARTTLS before authenticating and sending; a server that does not offer it is refused.</summary>
    public bool EnableSsl { get; set; }

    /// <summary>A PEM file of certificates to trust for STARTTLS besides the system's (a private CA, a self-signed relay).</summary>
    public string? TrustedCertificateFile { get; set; }

    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>
    /// XOAUTH2 login (Gmail, Microsoft 365) as <see cref="Username"/> with the OAuth 2.0 access token in this file,
    /// read again for every new connection so that a refresher can replace it; instead of <see cref="Password"/>.
    /// </summary>
    public string? OAuth2TokenFile { get; set; }

    /// <summary>SMTP clients kept by the mailer; each sends one message at a time.</summary>
    [Range(1, 64, ErrorMessage = "must be between 1 and 64")]
    public int PoolSize { get; set; } = 4;

    /// <summary>Longest wait for one send before it counts as a temporary failure.</summary>
    [Range(1, 600, ErrorMessage = "must be between 1 and 600 seconds")]
    public int TimeoutSeconds { get; set; } = 60;

    public static string? Check(SmtpOptions o)
    {
        if (o.Host.Length > 0 && (o.Host.Any(char.IsWhiteSpace) || Uri.CheckHostName(o.Host) == UriHostNameType.Unknown))
            return $"Smtp__Host '{o.Host}' is not a host name or IP address";
        if (!string.IsNullOrEmpty(o.OAuth2TokenFile))
        {
            if (string.IsNullOrEmpty(o.Username) || !string.IsNullOrEmpty(o.Password))
                return "Smtp__OAuth2TokenFile needs Smtp__Username and no Smtp__Password";
            if (!File.Exists(o.OAuth2TokenFile))
                return $"Smtp__OAuth2TokenFile '{o.OAuth2TokenFile}' does not exist";
        }
        else if (string.IsNullOrEmpty(o.Username) != string.IsNullOrEmpty(o.Password))
            return "Smtp__Username and Smtp__Password must be set together";
        if (!string.IsNullOrEmpty(o.TrustedCertificateFile))
        {
            if (!o.EnableSsl) return "Smtp__TrustedCertificateFile needs Smtp__EnableSsl=true";
            try
            {
                if (SmtpCertificates.Trusted(o) is not { Count: > 0 }) return $"Smtp__TrustedCertificateFile '{o.TrustedCertificateFile}' holds no certificate";
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                return $"Smtp__TrustedCertificateFile '{o.TrustedCertificateFile}' cannot be read as PEM certificates: {ex.Message}";
            }
        }
        return null;
    }
}
