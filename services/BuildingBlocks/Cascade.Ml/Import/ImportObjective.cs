using System.Globalization;

namespace Cascade.Ml.Import;

/// <summary>The objective of an imported model, and whether a sample's labels fit it.</summary>
internal static class ImportObjective
{
    private static readonly string[] Supported = ["binary:logistic", "reg:squarederror", "multi:softprob"];

    /// <summary>
    /// The objective to register: the model's own (XGBoost), the user's (<c>--objective</c>), or for ONNX one inferred
    /// from the outputs: several per row are class probabilities (multi:softprob); one per row is a probability
    /// (binary:logistic) when every output seen lies in [0, 1] and the labels, if any, are 0 or 1; otherwise a regression.
    /// </summary>
    /// <exception cref="ImportException">The requested objective is unsupported or contradicts the model.</exception>
    public static (string Objective, bool Inferred) Decide(IImportedFormat model, string? requested, ReadOnlySpan<float> outputsSeen, float[]? labels)
    {
        if (requested is not null)
        {
            if (!Supported.Contains(requested))
            {
                throw new ImportException($"Objective '{requested}' is not supported; choose one of {string.Join(", ", Supported)}.");
            }
            if (model.Objective is { } own && own != requested)
            {
                throw new ImportException($"The model's own objective is {own}; --objective {requested} contradicts it (leave --objective out for XGBoost models).");
            }
            if ((requested == "multi:softprob") != (model.OutputCount > 1))
            {
                throw new ImportException($"Objective {requested} does not fit a model with {model.OutputCount} output(s) per row (multi:softprob needs one per class, the others exactly one).");
            }
            return (requested, false);
        }
        if (model.Objective is { } stated)
        {
            return (stated, false);
        }
        if (model.OutputCount > 1)
        {
            return ("multi:softprob", true);
        }
        var probabilities = true;
        foreach (var value in outputsSeen)
        {
            if (!(value >= 0f && value <= 1f)) probabilities = false;
        }
        var binaryLabels = labels is null || labels.All(l => l is 0f or 1f);
        return (probabilities && binaryLabels ? "binary:logistic" : "reg:squarederror", true);
    }

    /// <summary>Checks that labels are what the objective's metrics read: 0/1, class indices, or finite values.</summary>
    /// <exception cref="ImportException">A label that does not fit, naming its row.</exception>
    public static void CheckLabels(string objective, float[] labels, int outputCount, string column)
    {
        for (var r = 0; r < labels.Length; r++)
        {
            var label = labels[r];
            var fits = objective switch
            {
                "binary:logistic" => label is 0f or 1f,
                "multi:softprob" => label >= 0 && label < outputCount && label == MathF.Floor(label),
                _ => float.IsFinite(label),
            };
            if (!fits)
            {
                var expected = objective switch
                {
                    "binary:logistic" => "0 or 1",
                    "multi:softprob" => $"a class index 0..{outputCount - 1}",
                    _ => "a finite number",
                };
                throw new ImportException($"Sample row {r + 1}: label '{column}' is {label.ToString(CultureInfo.InvariantCulture)}; {objective} needs {expected}.");
            }
        }
    }
}
