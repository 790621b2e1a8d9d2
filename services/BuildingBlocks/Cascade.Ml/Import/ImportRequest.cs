namespace Cascade.Ml.Import;

/// <summary>What <c>cascade models import</c> was asked to import.</summary>
public sealed record ImportRequest
{
    /// <summary>The model file: XGBoost <c>.json</c> or <c>.ubj</c> (as <c>Booster.save_model</c> writes them) or <c>.onnx</c>.</summary>
    public required string ModelFile { get; init; }

    /// <summary>Feature names in input order (<c>--features</c>); null to take the names stored in the model.</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>A CSV of rows the model will see (<c>--sample</c>): golden samples, the reference profile and, with labels, the holdout.</summary>
    public string? SampleFile { get; init; }

    /// <summary>The sample's label column (<c>--label</c>): it must exist when given; null reads a column named <c>label</c> if there is one.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The objective of an ONNX model (<c>--objective</c>); null infers it from the outputs (and labels). XGBoost models state their own.</summary>
    public string? Objective { get; init; }
}
