using Cascade.Bench.Drift.Generators;
using Cascade.Bench.Drift.Learners;
using Cascade.Ml.Data;

namespace Cascade.Bench.Drift.Models;

/// <summary>A Naive Bayes trained on a table and frozen.</summary>
internal sealed class NaiveBayesModel : IServedModel
{
    private readonly NaiveBayes model;
    private readonly double[] probabilities;

    private NaiveBayesModel(NaiveBayes model, int classes)
    {
        this.model = model;
        probabilities = new double[classes];
    }

    public int OutputsPerRow => probabilities.Length == 2 ? 1 : probabilities.Length;

    public static NaiveBayesModel Train(StreamSchema schema, TabularData data)
    {
        var model = new NaiveBayes(schema);
        for (var r = 0; r < data.Rows; r++) model.Learn(data.Row(r), (int)data.Labels![r]);
        return new NaiveBayesModel(model, schema.Classes);
    }

    public void Predict(ReadOnlySpan<float> features, Span<float> outputs)
    {
        model.Predict(features, probabilities);
        if (probabilities.Length == 2)
        {
            outputs[0] = (float)probabilities[1];
            return;
        }
        for (var c = 0; c < probabilities.Length; c++) outputs[c] = (float)probabilities[c];
    }
}
