using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;

namespace Cascade.Ml.Import;

/// <summary>An imported model written as a Cascade artifact, with the sample it was checked on.</summary>
/// <param name="Directory">The artifact directory.</param>
/// <param name="Manifest">Its manifest (framework, objective, features, source file and hash).</param>
/// <param name="Sample">The <c>--sample</c> rows in the model's feature order, with labels when the sample has them; null without a sample.</param>
/// <param name="SampleSha256">SHA-256 of the sample file: the same hash means the same holdout rows.</param>
/// <param name="ObjectiveInferred">Whether the objective was inferred from the outputs rather than stated by the model or the user.</param>
public sealed record ImportedModel(string Directory, ModelManifest Manifest, TabularData? Sample, string? SampleSha256, bool ObjectiveInferred);
