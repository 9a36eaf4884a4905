using System.Numerics;

namespace Billing.Invoicing;

/// <summary>
/// Money rules (docs/architecture.md, Money): amounts are <see cref="long"/> minor units; prices and quantities are
/// <see cref="decimal"/>; every product is computed exactly and rounded once, half away from zero.
/// </summary>
public static class Money
{
    /// <summary>Most decimals a unit price, flat fee or package price may carry (numeric(30,12) in the database).</summary>
    public const int MaxPriceDecimals = 12;

    /// <summary>0.125 EUR → 13; -0.125 EUR → -13; 1234.5 JPY → 1235.</summary>
    /// <exception cref="OverflowException">when the result does not fit a 64-bit minor-unit amount.</exception>
    public static long RoundHalfAwayFromZero(decimal majorUnits, int exponent) =>
        ToMinor(ExactDecimal.From(majorUnits), exponent);

    /// <summary>quantity × unitPrice computed exactly, then rounded half away from zero to minor units.</summary>
    /// <exception cref="OverflowException">when the result does not fit a 64-bit minor-unit amount.</exception>
    public static long MultiplyToMinor(decimal quantity, decimal unitPrice, int exponent) =>
        ToMinor(ExactDecimal.From(quantity) * ExactDecimal.From(unitPrice), exponent);

    /// <summary>ratePercent % of an amount, rounded half away from zero: 19 % of 1005 cents → 191 (1.9095).</summary>
    public static long PercentOf(long minor, decimal ratePercent) =>
        ToMinor(ExactDecimal.FromMinor(minor, 2) * ExactDecimal.From(ratePercent), 0);

    /// <summary>12345 cents → 123.45 (exponent 2).</summary>
    public static decimal ToMajor(long minor, int exponent)
    {
        CheckExponent(exponent);
        return minor / Pow10(exponent);
    }

    /// <summary>Significant decimals, ignoring trailing zeros: 0.100 → 1, 0.0005 → 4, 12 → 0.</summary>
    public static int DecimalPlaces(decimal value)
    {
        var exact = ExactDecimal.From(value);
        var mantissa = exact.Mantissa;
        var scale = exact.Scale;
        while (scale > 0 && (mantissa % 10).IsZero)
        {
            mantissa /= 10;
            scale--;
        }
        return scale;
    }

    internal static long ToMinor(ExactDecimal exact, int exponent)
    {
        CheckExponent(exponent);
        var minor = exact.RoundToScale(exponent);
        if (minor > long.MaxValue || minor < long.MinValue)
            throw new OverflowException($"amount {exact} exceeds the range of a 64-bit minor-unit amount");
        return (long)minor;
    }

    private static decimal Pow10(int exponent) => (decimal)BigInteger.Pow(10, exponent);

    private static void CheckExponent(int exponent)
    {
        if (exponent is < 0 or > 4)
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, "a currency exponent is 0 to 4");
    }
}
