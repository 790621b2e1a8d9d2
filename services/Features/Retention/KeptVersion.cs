namespace Cascade.Features.Retention;

/// <summary>
/// A model version whose artifact the registry still keeps, as far as its training rows go: the feature view version
/// and watermark its job read below, and the cap on how many of the newest labeled rows it read.
/// </summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="FeatureView">The feature view its training set was read from.</param>
/// <param name="FeatureViewVersion">That view's version.</param>
/// <param name="Watermark">Partition → first offset not read.</param>
/// <param name="MaxTrainingRows">The newest labeled rows its job read at most; 0 when it read all of them or the lineage does not say.</param>
public sealed record KeptVersion(string Model, int Version, string FeatureView, int FeatureViewVersion, IReadOnlyDictionary<int, long> Watermark, long MaxTrainingRows);
