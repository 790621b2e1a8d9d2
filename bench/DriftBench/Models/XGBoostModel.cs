using System.Globalization;
using System.Text;
using Cascade.Bench.Drift.Generators;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Training;

namespace Cascade.Bench.Drift.Models;

/// <summary>
/// An XGBoost model trained by Cascade.Ml's <see cref="XGBoostTrainer"/> with the demo's parameters (depth 4, η 0.2,
/// 60 rounds) and served by the <see cref="CompiledModel"/> evaluator, as Training and Serving do.
/// </summary>
internal sealed class XGBoostModel(CompiledModel compiled) : IServedModel
{
    public int OutputsPerRow => compiled.OutputCount;

    public static XGBoostModel Train(StreamSchema schema, TabularData data)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["objective"] = schema.Classes == 2 ? "binary:logistic" : "multi:softprob",
            ["max_depth"] = "4",
            ["eta"] = "0.2",
            ["nthread"] = "1",
        };
        if (schema.Classes > 2) parameters["num_class"] = schema.Classes.ToString(CultureInfo.InvariantCulture);
        var result = XGBoostTrainer.Train(data, null, new TrainingOptions { Parameters = parameters, Rounds = 60 });
        using var model = result.Model;
        return new XGBoostModel(CompiledModel.FromXgboostJson(Encoding.UTF8.GetString(model.SaveJson())));
    }

    public void Predict(ReadOnlySpan<float> features, Span<float> outputs) => compiled.Predict(features, outputs);
}
