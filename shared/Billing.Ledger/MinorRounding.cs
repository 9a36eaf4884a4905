namespace Billing.Ledger;

/// <summary>Integer rounding as the design prescribes for money: half away from zero.</summary>
public static class MinorRounding
{
    /// <summary>numerator / denominator rounded half away from zero; 128-bit so amount × tax cannot overflow.</summary>
    public static long DivideHalfAwayFromZero(Int128 numerator, Int128 denominator)
    {
        if (denominator == 0)
            throw new DivideByZeroException();
        if (denominator < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }
        var quotient = Int128.DivRem(numerator, denominator);
        var q = quotient.Quotient;
        if (Int128.Abs(quotient.Remainder) * 2 >= denominator)
            q += Int128.Sign(numerator);
        return checked((long)q);
    }
}
