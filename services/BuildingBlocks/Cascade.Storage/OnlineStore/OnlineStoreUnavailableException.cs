namespace Cascade.Storage.OnlineStore;

/// <summary>The online store cannot be reached now (its server is down or restarting); Serving answers UNAVAILABLE, a retryable status.</summary>
public sealed class OnlineStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
