using System.Globalization;

namespace Cascade.Ml.Training;

/// <summary>What every trainer requires of its labels, checked before training so the error names the row.</summary>
public static class TrainingLabels
{
    /// <exception cref="ArgumentException">A missing label, or one the objective cannot take.</exception>
    public static void Validate(float[] labels, string objective, int numClass)
    {
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (!float.IsFinite(label))
            {
                throw new ArgumentException($"Row {i}: the label is missing or not finite; every training row needs a label.");
            }
            if (objective == "binary:logistic" && label is not (0f or 1f))
            {
                throw new ArgumentException($"Row {i}: binary:logistic needs labels 0 or 1, got {label.ToString(CultureInfo.InvariantCulture)}.");
            }
            if (objective == "multi:softprob" && (label < 0 || label >= numClass || label != MathF.Floor(label)))
            {
                throw new ArgumentException($"Row {i}: multi:softprob with num_class={numClass} needs integer labels 0..{numClass - 1}, got {label.ToString(CultureInfo.InvariantCulture)}.");
            }
        }
    }
}
