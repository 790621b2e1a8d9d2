namespace Cascade.Bench.Drift.Models;

/// <summary>A trained, frozen model as Serving runs it: features in, the outputs Serving logs out.</summary>
public interface IServedModel
{
    /// <summary>Outputs per prediction: P(class 1) for a binary model, one probability per class otherwise (XGBoost's
    /// binary:logistic and multi:softprob).</summary>
    int OutputsPerRow { get; }

    void Predict(ReadOnlySpan<float> features, Span<float> outputs);
}
