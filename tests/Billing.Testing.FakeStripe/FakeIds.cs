using System.Security.Cryptography;

namespace Billing.Testing.FakeStripe;

internal static class FakeIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>An id shaped like Stripe's: a prefix, an underscore and 24 random alphanumerics.</summary>
    public static string New(string prefix) =>
        $"{prefix}_{new string(RandomNumberGenerator.GetItems<char>(Alphabet, 24))}";
}
