using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers;

namespace Cascade.Ml.MlNet;

/// <summary>
/// ML.NET's own predictions, in Cascade's terms (the probability of class 1, the value, or one probability per class),
/// and the check that a converted model reproduces them.
/// </summary>
internal static class MlNetReference
{
    /// <summary>
    /// How far a converted model's output may be from ML.NET's: |cascade − ml.net| ≤ 1e-6 · max(1, |ml.net|). ML.NET adds
    /// leaf values in double, the gbtree form in float32 (as XGBoost does); the difference stays in the last float bits.
    /// </summary>
    public const double Tolerance = 1e-6;

    /// <summary>
    /// Predicts <paramref name="rows"/> with <paramref name="predictor"/> (ML.NET's prediction transformer, the same
    /// mapper its PredictionEngine runs), row-major, output <c>k</c> of a multi-class model in group <paramref name="classGroups"/>[k].
    /// </summary>
    public static float[] Predict(MLContext context, ISingleFeaturePredictionTransformer<object> predictor, TabularData rows, ConvertedEnsemble ensemble, OneVersusAllOutputs oneVersusAll, IReadOnlyList<int>? classGroups = null)
    {
        var scored = predictor.Transform(MlNetData.Rows(context, rows, predictor.FeatureColumnName));
        switch (ensemble.Objective)
        {
            case "binary:logistic":
                return MlNetData.Column(scored, "Probability", rows.Rows, 1);
            case "reg:squarederror":
                return MlNetData.Column(scored, "Score", rows.Rows, 1);
        }
        var classes = ensemble.NumClass;
        var scores = MlNetData.Column(scored, "Score", rows.Rows, classes);
        var ova = (OneVersusAllModelParameters)predictor.Model;
        if (MlNetInternals.OutputFormula(ova) != "Softmax")
        {
            if (oneVersusAll != OneVersusAllOutputs.SoftmaxOfLogOdds)
            {
                throw new NotSupportedException("Only a softmax one-versus-all model is reproduced as ML.NET computes it.");
            }
            SoftmaxOfLogOdds(scores, classes, MlNetInternals.SubModels(ova));
        }
        if (classGroups is null)
        {
            return scores;
        }
        var ordered = new float[scores.Length];
        for (var r = 0; r < rows.Rows; r++)
        {
            for (var k = 0; k < classes; k++) ordered[r * classes + classGroups[k]] = scores[r * classes + k];
        }
        return ordered;
    }

    /// <summary>Turns raw one-versus-all scores into the softmax of each class's calibrated log-odds, in double.</summary>
    private static void SoftmaxOfLogOdds(float[] scores, int classes, IReadOnlyList<object> classModels)
    {
        var platt = classModels.Select(m => (PlattCalibrator)((CalibratedModelParametersBase)m).Calibrator).ToArray();
        var logOdds = new double[classes];
        for (var r = 0; r < scores.Length / classes; r++)
        {
            var max = double.NegativeInfinity;
            for (var k = 0; k < classes; k++)
            {
                logOdds[k] = -(platt[k].Slope * scores[r * classes + k] + platt[k].Offset);
                max = Math.Max(max, logOdds[k]);
            }
            var sum = 0d;
            for (var k = 0; k < classes; k++) sum += logOdds[k] = Math.Exp(logOdds[k] - max);
            for (var k = 0; k < classes; k++) scores[r * classes + k] = (float)(logOdds[k] / sum);
        }
    }

    /// <summary>Predicts <paramref name="rows"/> with the compiled evaluator of <paramref name="ensemble"/>, as Serving will.</summary>
    public static float[] Converted(CompiledModel compiled, TabularData rows)
    {
        var outputs = new float[rows.Rows * compiled.OutputCount];
        compiled.PredictBatch(rows.Features, rows.Rows, outputs);
        return outputs;
    }

    /// <summary>Refuses a conversion whose outputs differ from ML.NET's beyond <see cref="Tolerance"/>, naming the first row.</summary>
    /// <exception cref="InvalidOperationException">The converted model does not compute what ML.NET computes.</exception>
    public static void Verify(ReadOnlySpan<float> mlnet, ReadOnlySpan<float> converted, TabularData rows, int outputsPerRow)
    {
        for (var i = 0; i < mlnet.Length; i++)
        {
            var expected = mlnet[i];
            var agrees = float.IsNaN(expected) ? float.IsNaN(converted[i]) : Math.Abs(converted[i] - (double)expected) <= Tolerance * Math.Max(1d, Math.Abs(expected));
            if (!agrees)
            {
                var row = i / outputsPerRow;
                throw new InvalidOperationException(
                    $"The converted model gives {converted[i]:R} where ML.NET gives {expected:R} (row {row}, output {i % outputsPerRow}: {string.Join(", ", rows.Row(row).ToArray())}); the conversion is refused.");
            }
        }
    }
}
