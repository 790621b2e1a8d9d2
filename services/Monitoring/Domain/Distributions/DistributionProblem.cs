namespace Cascade.Monitoring.Domain.Distributions;

/// <summary>Why a <see cref="WindowDistribution"/> cannot be given.</summary>
public enum DistributionProblem
{
    /// <summary>None: the distribution is given.</summary>
    None,
    /// <summary>No version of the model is watched (never promoted, or an unknown model).</summary>
    ModelNotWatched,
    /// <summary>The version asked for is not the watched one: only the watched version's window is held.</summary>
    VersionNotWatched,
    /// <summary>The model has no such numeric feature.</summary>
    UnknownFeature,
    /// <summary>The watched version's artifact has no reference profile: there is nothing to compare with.</summary>
    NoReferenceProfile,
    /// <summary>The prediction log withholds the feature (a sensitive column): its values never reach Monitoring.</summary>
    FeatureWithheld,
}
