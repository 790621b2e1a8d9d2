namespace Cascade.Features.Vocabulary;

/// <summary>A <c>top_k</c> vocabulary cannot be computed because the data holds no value for it yet (FAILED_PRECONDITION).</summary>
public sealed class VocabularyUnavailableException(string message) : Exception(message);
