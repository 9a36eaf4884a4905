using System.Numerics;

namespace Billing.Invoicing;

/// <summary>
/// Mantissa × 10^-Scale over <see cref="BigInteger"/>. <see cref="decimal"/> silently rounds a product
/// once it needs more than 28–29 significant digits (a 1e12 quantity with 12 decimals times a 12-decimal
/// price needs ~41), which would round twice and could break a half-away-from-zero tie. Sums and products
/// here are exact; rounding happens once, where the invoice rules say so.
/// Equality is member-wise (0.10 ≠ 0.1): compare values with <see cref="CompareTo"/>.
/// </summary>
internal readonly record struct ExactDecimal(BigInteger Mantissa, int Scale) : IComparable<ExactDecimal>
{
    public static readonly ExactDecimal Zero = new(BigInteger.Zero, 0);

    public int Sign => Mantissa.Sign;

    public static ExactDecimal From(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = (new BigInteger((uint)bits[2]) << 64) | (new BigInteger((uint)bits[1]) << 32) | (uint)bits[0];
        var scale = (bits[3] >> 16) & 0xFF;
        return new ExactDecimal(bits[3] < 0 ? -magnitude : magnitude, scale);
    }

    public static ExactDecimal FromMinor(long minor, int exponent) => new(minor, exponent);

    public static ExactDecimal operator +(ExactDecimal a, ExactDecimal b)
    {
        var scale = Math.Max(a.Scale, b.Scale);
        return new ExactDecimal(a.Rescaled(scale) + b.Rescaled(scale), scale);
    }

    public static ExactDecimal operator -(ExactDecimal a, ExactDecimal b) => a + new ExactDecimal(-b.Mantissa, b.Scale);

    public static ExactDecimal operator *(ExactDecimal a, ExactDecimal b) => new(a.Mantissa * b.Mantissa, a.Scale + b.Scale);

    public static bool operator <(ExactDecimal a, ExactDecimal b) => a.CompareTo(b) < 0;
    public static bool operator >(ExactDecimal a, ExactDecimal b) => a.CompareTo(b) > 0;
    public static bool operator <=(ExactDecimal a, ExactDecimal b) => a.CompareTo(b) <= 0;
    public static bool operator >=(ExactDecimal a, ExactDecimal b) => a.CompareTo(b) >= 0;

    public static ExactDecimal Min(ExactDecimal a, ExactDecimal b) => a <= b ? a : b;

    public int CompareTo(ExactDecimal other)
    {
        var scale = Math.Max(Scale, other.Scale);
        return Rescaled(scale).CompareTo(other.Rescaled(scale));
    }

    /// <summary>The integer number of 10^-<paramref name="scale"/> units, rounded half away from zero.</summary>
    public BigInteger RoundToScale(int scale)
    {
        if (Scale <= scale) return Rescaled(scale);
        return DivideHalfAwayFromZero(Mantissa, BigInteger.Pow(10, Scale - scale));
    }

    /// <summary>Smallest integer n with n ≥ this / divisor; both must be positive.</summary>
    public static BigInteger CeilingDivide(ExactDecimal dividend, ExactDecimal divisor)
    {
        var scale = Math.Max(dividend.Scale, divisor.Scale);
        var n = dividend.Rescaled(scale);
        var d = divisor.Rescaled(scale);
        var quotient = BigInteger.DivRem(n, d, out var remainder);
        return remainder.IsZero ? quotient : quotient + 1;
    }

    /// <summary>this / divisor rounded half away from zero to <paramref name="scale"/> decimals.</summary>
    public ExactDecimal DivideRounded(ExactDecimal divisor, int scale)
    {
        // (m1·10^-s1) / (m2·10^-s2) · 10^scale = m1·10^(s2+scale) / (m2·10^s1)
        var numerator = Mantissa * BigInteger.Pow(10, divisor.Scale + scale);
        var denominator = divisor.Mantissa * BigInteger.Pow(10, Scale);
        if (denominator.Sign < 0) (numerator, denominator) = (-numerator, -denominator);
        return new ExactDecimal(DivideHalfAwayFromZero(numerator, denominator), scale);
    }

    public static BigInteger DivideHalfAwayFromZero(BigInteger numerator, BigInteger positiveDenominator)
    {
        var quotient = BigInteger.DivRem(BigInteger.Abs(numerator), positiveDenominator, out var remainder);
        if (remainder * 2 >= positiveDenominator) quotient += 1;
        return numerator.Sign < 0 ? -quotient : quotient;
    }

    /// <exception cref="OverflowException">when the value does not fit a <see cref="decimal"/>.</exception>
    public decimal ToDecimal()
    {
        var mantissa = Mantissa;
        var scale = Scale;
        // Drop trailing zeros first: a product's scale can exceed decimal's 28 with an exact short value.
        while (scale > 0 && !mantissa.IsZero && (mantissa % 10).IsZero)
        {
            mantissa /= 10;
            scale--;
        }
        if (mantissa.IsZero) return 0m;
        var magnitude = BigInteger.Abs(mantissa);
        if (scale > 28 || magnitude.GetBitLength() > 96)
            throw new OverflowException($"{this} does not fit a decimal (28 significant digits)");
        var bytes = new byte[12];
        magnitude.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return new decimal(BitConverter.ToInt32(bytes, 0), BitConverter.ToInt32(bytes, 4), BitConverter.ToInt32(bytes, 8),
            mantissa.Sign < 0, (byte)scale);
    }

    private BigInteger Rescaled(int scale) => Mantissa * BigInteger.Pow(10, scale - Scale);

    public override string ToString() => $"{Mantissa}e-{Scale}";
}
