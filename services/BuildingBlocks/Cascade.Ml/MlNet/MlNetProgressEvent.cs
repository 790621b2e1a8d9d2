namespace Cascade.Ml.MlNet;

/// <summary>One report of ML.NET's progress tracker about one computation (see <see cref="MlNetInternals.ProgressOf"/>).</summary>
/// <param name="Index">The computation (each fit, and each one-versus-all sub-model, is one).</param>
/// <param name="Stopped">The computation ended.</param>
/// <param name="Unit">Its first progress unit (<c>trees</c>, <c>iterations</c>, <c>examples</c>, …); null for start and stop events.</param>
/// <param name="Done">Units done when the tracker pulled the progress; null in a checkpoint that reports none.</param>
/// <param name="Iteration">The <c>Iteration</c> metric of a checkpoint (LightGbm's, every 50 iterations).</param>
internal sealed record MlNetProgressEvent(int Index, bool Stopped, string? Unit, double? Done, double? Limit, double? Iteration);
