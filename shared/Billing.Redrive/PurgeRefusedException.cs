namespace Billing.Redrive;

/// <summary>A purge whose confirmation did not match what is in the queue: nothing was deleted.</summary>
public sealed class PurgeRefusedException(string message) : Exception(message);
