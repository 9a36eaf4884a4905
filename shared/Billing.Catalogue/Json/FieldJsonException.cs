using System.Text.Json;

namespace Billing.Catalogue.Json;

/// <summary>A value of the wrong shape, with a message written for the caller. The serializer fills in
/// <see cref="JsonException.Path"/>, so <see cref="CatalogueJson"/> can name the field.</summary>
public sealed class FieldJsonException(string message) : JsonException(message);
