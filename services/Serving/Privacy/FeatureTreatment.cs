namespace Cascade.Serving.Privacy;

/// <summary>What the prediction log does with one feature's value.</summary>
public enum FeatureTreatment
{
    /// <summary>Logged as scored: not computed from a sensitive column.</summary>
    Keep,
    /// <summary>Withheld, with a keyed hash in its place.</summary>
    Hash,
    /// <summary>Withheld altogether.</summary>
    Drop,
}
