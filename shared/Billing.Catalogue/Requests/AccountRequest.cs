namespace Billing.Catalogue.Requests;

/// <summary>Body of <c>POST /api/accounts</c> and one element of <c>POST /api/accounts/batch</c>.</summary>
public sealed class AccountRequest
{
    public string? Name { get; set; }
    public string? BillingEmail { get; set; }
    public AddressRequest? Address { get; set; }

    /// <summary>Optional: the plan's currency when absent; when given it must equal it.</summary>
    public string? Currency { get; set; }

    /// <summary>Plan code or id.</summary>
    public string? Plan { get; set; }

    /// <summary>Percent (19 for 19 %); 0 when absent.</summary>
    public decimal? TaxRate { get; set; }

    public string? StripeCustomerId { get; set; }
    public string? ExternalRef { get; set; }
    public string? Issuer { get; set; }

    /// <summary>First day billed (yyyy-MM-dd, UTC); the day of creation when absent.</summary>
    public DateOnly? BillingStartsOn { get; set; }

    /// <summary>Last day billed (inclusive); none when absent.</summary>
    public DateOnly? BillingEndsOn { get; set; }
}

public sealed class AddressRequest
{
    public string? Line1 { get; set; }
    public string? Line2 { get; set; }
    public string? City { get; set; }
    public string? PostalCode { get; set; }
    public string? Country { get; set; }
}

public sealed class AccountBatchRequest
{
    public List<AccountRequest?>? Accounts { get; set; }
}
