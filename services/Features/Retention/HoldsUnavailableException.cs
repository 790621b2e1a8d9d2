namespace Cascade.Features.Retention;

/// <summary>A retention pass could not learn which versions hold rows (the registry was unreachable, slow or refused), so it deleted nothing.</summary>
public sealed class HoldsUnavailableException(string message, Exception inner) : Exception(message, inner);
