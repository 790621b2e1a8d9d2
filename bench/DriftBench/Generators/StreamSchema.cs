using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Bench.Drift.Generators;

/// <summary>What an attribute holds, which decides how the learner models it and how Cascade profiles it.</summary>
public enum FeatureKind
{
    /// <summary>A real number: a Gaussian in the Naive Bayes, a numeric feature (PSI, KS, Wasserstein) in Cascade.</summary>
    Numeric,
    /// <summary>0 or 1: counted per class in the Naive Bayes, a numeric 0/1 feature in Cascade (as a feature store holds flags).</summary>
    Binary,
    /// <summary>A nominal attribute, written as its index in <see cref="FeatureSpec.Categories"/>: counted per class in the
    /// Naive Bayes, an ordinal categorical column in Cascade (chi-squared and Jensen–Shannon on its categories).</summary>
    Categorical,
}

/// <summary>One attribute of a generated stream.</summary>
public sealed record FeatureSpec(string Name, FeatureKind Kind, IReadOnlyList<string>? Categories = null)
{
    /// <summary>Distinct values of a binary or categorical attribute; 0 for a numeric one.</summary>
    public int Cardinality => Kind switch
    {
        FeatureKind.Binary => 2,
        FeatureKind.Categorical => Categories!.Count,
        _ => 0,
    };

    public static FeatureSpec Numeric(string name) => new(name, FeatureKind.Numeric);

    public static FeatureSpec Binary(string name) => new(name, FeatureKind.Binary);

    public static FeatureSpec Categorical(string name, params string[] categories) => new(name, FeatureKind.Categorical, categories);
}

/// <summary>The attributes and classes of a generator's instances.</summary>
public sealed record StreamSchema(IReadOnlyList<FeatureSpec> Features, int Classes)
{
    public int Width => Features.Count;

    public IReadOnlyList<string> FeatureNames => Features.Select(f => f.Name).ToArray();

    /// <summary>The categorical attributes as Cascade's Features service would encode them: ordinal, one feature each.</summary>
    public IReadOnlyList<CategoricalColumn> CategoricalColumns() => Features
        .Where(f => f.Kind == FeatureKind.Categorical)
        .Select(f => CategoricalColumn.Create(f.Name, CategoricalEncoding.Ordinal, f.Categories!))
        .ToArray();
}
