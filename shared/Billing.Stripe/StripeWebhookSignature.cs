using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.Stripe;

public enum StripeSignatureResult
{
    Valid,
    MissingHeader,
    Malformed,
    NoMatchingSignature,
    TimestampOutsideTolerance,
}

/// <summary>
/// Stripe's webhook signature scheme, checked against every configured secret so an endpoint secret can be rolled:
/// an event signed with any of them is accepted (Stripe.net's EventUtility takes one secret and lowercase hex only;
/// the HMAC itself is Stripe.net's). Header <c>t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=...]</c>, each v1 being
/// HMAC-SHA256 of <c>"{t}.{payload}"</c> keyed with an endpoint secret. The payload must be the raw request
/// body: JSON that was parsed and written again will not match.
/// </summary>
public static class StripeWebhookSignature
{
    public static StripeSignatureResult Verify(string payload, string? signatureHeader, IEnumerable<string> secrets,
        DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(secrets);
        var keys = secrets.Where(s => !string.IsNullOrEmpty(s)).ToList();
        if (keys.Count == 0)
            throw new ArgumentException("At least one webhook secret is needed (Stripe:WebhookSecrets).", nameof(secrets));

        if (string.IsNullOrWhiteSpace(signatureHeader)) return StripeSignatureResult.MissingHeader;
        if (!TryParse(signatureHeader, out var timestamp, out var signatures)) return StripeSignatureResult.Malformed;

        // Signature first: an unsigned request learns nothing about our clock.
        var matched = false;
        foreach (var secret in keys)
        {
            var expected = Encoding.ASCII.GetBytes(ComputeSignature(payload, secret, timestamp));
            foreach (var candidate in signatures)
                matched |= CryptographicOperations.FixedTimeEquals(expected, candidate);
        }
        if (!matched) return StripeSignatureResult.NoMatchingSignature;

        var age = now - DateTimeOffset.FromUnixTimeSeconds(timestamp);
        // Both directions: a timestamp far in the future would otherwise extend a captured event's life.
        return age.Duration() > tolerance ? StripeSignatureResult.TimestampOutsideTolerance : StripeSignatureResult.Valid;
    }

    /// <summary>Verifies with the configured secrets and tolerance (Stripe:WebhookSecrets, Stripe:WebhookToleranceSeconds).</summary>
    public static StripeSignatureResult Verify(string payload, string? signatureHeader, StripeOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Verify(payload, signatureHeader, options.WebhookSecrets, now, TimeSpan.FromSeconds(options.WebhookToleranceSeconds));
    }

    /// <summary>A header as Stripe would send it, with one v1 signature.</summary>
    public static string Sign(string payload, string secret, DateTimeOffset timestamp)
    {
        var t = timestamp.ToUnixTimeSeconds();
        return $"t={t.ToString(CultureInfo.InvariantCulture)},v1={ComputeSignature(payload, secret, t)}";
    }

    /// <summary>The lowercase hex v1 signature for a payload at a unix timestamp (Stripe.net's scheme).</summary>
    public static string ComputeSignature(string payload, string secret, long unixTimestamp)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return global::Stripe.EventUtility.ComputeSignature(secret, unixTimestamp.ToString(CultureInfo.InvariantCulture), payload);
    }

    private const long MaxUnixSeconds = 253_402_300_799;

    private static bool TryParse(string header, out long timestamp, out List<byte[]> signatures)
    {
        timestamp = 0;
        signatures = [];
        var hasTimestamp = false;
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) return false;
            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (key == "t")
            {
                if (hasTimestamp || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp)) return false;
                hasTimestamp = true;
            }
            else if (key == "v1")
            {
                signatures.Add(Encoding.ASCII.GetBytes(value.ToLowerInvariant()));
            }
            // v0 and unknown schemes are ignored, as Stripe's libraries do.
        }
        // Beyond year 9999 the value is not a timestamp, and DateTimeOffset could not hold it.
        return hasTimestamp && timestamp <= MaxUnixSeconds && signatures.Count > 0;
    }
}
