namespace Cascade.Features.Retention;

/// <summary>
/// The rows a training job read, as Training's reader (<c>TrainingSets.ReadAsync</c>) chooses them: the newest
/// <see cref="Size"/> labeled rows (by event time, partition, offset) of a feature view version below
/// <see cref="Watermark"/>, or every labeled row below it when <see cref="Size"/> is 0.
/// </summary>
/// <remarks>
/// A job capped at N rows reads N + 1 (one more tells it the cap applies, and only then does it put the rows in
/// event-time order before keeping N): the window is N + 1 rows, since losing the extra row would leave N rows in
/// (partition, offset) order, and a model trained on reordered rows is not byte-identical.
/// </remarks>
/// <param name="FeatureView">The feature view.</param>
/// <param name="ViewVersion">Its version.</param>
/// <param name="Watermark">Partition → first offset not read.</param>
/// <param name="Size">How many of the newest labeled rows the reader asked for; 0: all of them.</param>
public sealed record TrainingWindow(string FeatureView, int ViewVersion, IReadOnlyDictionary<int, long> Watermark, int Size)
{
    /// <summary>Equal for equal windows (the watermark compared by value): several versions read the same rows once.</summary>
    public string Key { get; } = $"{FeatureView}/{ViewVersion}/{Size}/" + string.Join(',', Watermark.OrderBy(w => w.Key).Select(w => $"{w.Key}:{w.Value}"));

    /// <summary>
    /// The windows the kept versions read, each once. A cap whose read limit (cap + 1) would not fit the reader's int
    /// limit is held as uncapped: every labeled row below the watermark, a superset of what it read.
    /// </summary>
    public static IReadOnlyList<TrainingWindow> Of(IEnumerable<KeptVersion> kept) =>
        kept.Select(v => new TrainingWindow(v.FeatureView, v.FeatureViewVersion, v.Watermark, v.MaxTrainingRows is > 0 and < int.MaxValue - 1 ? (int)v.MaxTrainingRows + 1 : 0))
            .DistinctBy(w => w.Key, StringComparer.Ordinal)
            .OrderBy(w => w.Key, StringComparer.Ordinal)
            .ToArray();
}
