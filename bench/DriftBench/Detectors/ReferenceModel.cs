using Cascade.Bench.Drift.Models;
using Cascade.Bench.Drift.Streams;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;

namespace Cascade.Bench.Drift.Detectors;

/// <summary>
/// What Cascade's Training hands Monitoring for a new model version, made from a window of the stream: a frozen model
/// and its reference profile, built by Cascade.Ml's own <see cref="ReferenceProfiler"/>. As ArtifactWriter does, the
/// features are profiled on the training rows and the prediction on held-out rows (the model's output on unseen data).
/// </summary>
public sealed class ReferenceModel
{
    /// <summary>Share of the window held out for the prediction profile (the training split's validation share).</summary>
    public const double HeldOutShare = 0.2;

    private ReferenceModel(IServedModel model, ReferenceProfile profile)
    {
        Model = model;
        Profile = profile;
    }

    public IServedModel Model { get; }

    public ReferenceProfile Profile { get; }

    /// <summary>Trains on the first 80% of instances [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) and profiles.</summary>
    public static ReferenceModel Train(ModelKind kind, LabelledStream stream, int start, int count)
    {
        var schema = stream.Schema;
        var heldOut = (int)(count * HeldOutShare);
        var trainRows = count - heldOut;
        var features = new float[trainRows * schema.Width];
        var labels = new float[trainRows];
        for (var r = 0; r < trainRows; r++)
        {
            stream.Row(start + r).CopyTo(features.AsSpan(r * schema.Width));
            labels[r] = stream.Label(start + r);
        }
        var data = new TabularData(features, trainRows, schema.FeatureNames, labels);
        var model = ModelTrainer.Train(kind, schema, data);
        var outputs = model.OutputsPerRow;
        var predictions = new float[heldOut * outputs];
        for (var r = 0; r < heldOut; r++) model.Predict(stream.Row(start + trainRows + r), predictions.AsSpan(r * outputs, outputs));
        return new ReferenceModel(model, ReferenceProfiler.Build(data, predictions, outputs, schema.CategoricalColumns()));
    }
}
