namespace Billing.Catalogue.Tests;

/// <summary>One admin-api process, database and vhost per test class (xUnit creates a class fixture once per class;
/// the tests of a class run one after another, so "nothing written" snapshots are not disturbed).</summary>
public sealed class CatalogueFixture : IAsyncLifetime
{
    public CatalogueApi Api { get; private set; } = null!;

    public async Task InitializeAsync() => Api = await CatalogueApi.StartAsync("catalogue");

    public async Task DisposeAsync() => await Api.DisposeAsync();
}
