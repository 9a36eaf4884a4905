using Billing.Testing.FakeStripe;

namespace Billing.Stripe.Tests;

/// <summary>A fresh fake Stripe per test and a client on a clock that records every wait instead of sleeping.</summary>
public abstract class StripeSpec : IAsyncLifetime
{
    protected FakeStripeServer Server { get; } = new();

    protected AutoAdvancingTimeProvider Clock { get; } = new();

    protected HttpClient Http { get; } = new();

    protected StripeClient Client { get; private set; } = null!;

    private readonly List<StripeClient> _clients = [];

    protected static readonly Guid InvoiceId = Guid.Parse("5b0c7a9e-2f1d-4c3b-9a8e-7d6c5b4a3f21");

    /// <summary>The due date our invoices carry to Stripe (any date does for the wire tests).</summary>
    public static readonly DateOnly DueDate = new(2026, 12, 31);

    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        Client = NewClient();
    }

    protected StripeClient NewClient(Action<StripeOptions>? configure = null)
    {
        var options = Server.ClientOptions();
        configure?.Invoke(options);
        var client = new StripeClient(options, Clock);
        _clients.Add(client);
        return client;
    }

    protected Task<StripeCustomer> CreateCustomerAsync(string key = "customer-key") =>
        Client.CreateCustomerAsync("Acme GmbH", "billing@acme.example", new Dictionary<string, string> { ["account_id"] = "acc-1" }, key);

    public async Task DisposeAsync()
    {
        Http.Dispose();
        foreach (var client in _clients) client.Dispose();
        await Server.DisposeAsync();
    }
}
