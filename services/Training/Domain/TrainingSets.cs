using Cascade.Contracts.Common.V1;
using Cascade.Ml.Data;
using Cascade.Storage.OfflineStore;

namespace Cascade.Training.Domain;

/// <summary>
/// A job's rows as the trainer sees them: train, validation and holdout tables of a feature view version, split
/// deterministically, with what identifies the holdout rows.
/// </summary>
/// <param name="RowsRead">Labeled rows read below the watermark (after the cap).</param>
/// <param name="HoldoutFingerprint">SHA-256 over the holdout rows' (partition, offset): the same fingerprint means the same rows.</param>
public sealed record TrainingSet(TabularData Train, TabularData Validation, TabularData Holdout, int RowsRead, string HoldoutFingerprint);

/// <summary>
/// Reads training sets from the offline store: the labeled rows of a feature view version below a watermark (only the
/// most recent ones when the settings cap them), split by <see cref="DatasetSplit"/>. The same store contents, watermark
/// and settings always give the same set: a training worker and <c>cascade models reproduce</c> both read it here.
/// </summary>
public static class TrainingSets
{
    /// <exception cref="InvalidOperationException">Too few labeled rows below the watermark to train and hold out.</exception>
    public static async Task<TrainingSet> ReadAsync(IOfflineStore offline, string featureView, int viewVersion, Watermark watermark, IReadOnlyList<string> featureNames, TrainingSettings settings, CancellationToken cancellationToken)
    {
        var offsets = watermark.Partitions.ToDictionary(p => p.Partition, p => p.Offset);
        // A capped training set reads only the cap + 1 latest rows (one more tells "more than the cap": only then are
        // the rows reordered by event time below), never the whole offline store, which grows with every record.
        var rows = settings.MaxTrainingRows > 0
            ? await offline.ReadLatestAsync(featureView, viewVersion, offsets, labeledOnly: true,
                limit: settings.MaxTrainingRows >= int.MaxValue ? int.MaxValue : (int)settings.MaxTrainingRows + 1, cancellationToken)
            : await offline.ReadAsync(featureView, viewVersion, offsets, labeledOnly: true, cancellationToken);
        if (settings.MaxTrainingRows > 0 && rows.Count > settings.MaxTrainingRows)
        {
            // The most recent rows by event time: after a drift, old behaviour should not dominate.
            rows = rows.OrderBy(r => r.EventTime).ThenBy(r => r.Partition).ThenBy(r => r.Offset).TakeLast((int)settings.MaxTrainingRows).ToArray();
        }
        var names = featureNames.ToArray();
        var parts = rows.GroupBy(r => DatasetSplit.Of(r.Partition, r.Offset, settings.ValidationFraction, settings.HoldoutFraction)).ToDictionary(g => g.Key, g => g.ToArray());
        var holdoutRows = parts.GetValueOrDefault(SplitPart.Holdout) ?? [];
        var set = new TrainingSet(
            Table(parts.GetValueOrDefault(SplitPart.Train) ?? [], names),
            Table(parts.GetValueOrDefault(SplitPart.Validation) ?? [], names),
            Table(holdoutRows, names),
            rows.Count,
            Fingerprint(holdoutRows));
        if (set.Train.Rows < 50 || set.Holdout.Rows < 10)
        {
            throw new InvalidOperationException($"Not enough labeled rows below the watermark: {set.Train.Rows} to train, {set.Holdout.Rows} to hold out (need 50 and 10).");
        }
        return set;
    }

    private static TabularData Table(IReadOnlyList<OfflineFeatureRow> rows, string[] names)
    {
        var features = new float[rows.Count * names.Length];
        var labels = new float[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < names.Length; c++) features[r * names.Length + c] = (float)rows[r].Values[c];
            labels[r] = (float)rows[r].Label!.Value;
        }
        return new TabularData(features, rows.Count, names, labels);
    }

    private static string Fingerprint(IEnumerable<OfflineFeatureRow> rows)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var row in rows.OrderBy(r => r.Partition).ThenBy(r => r.Offset))
        {
            hash.AppendData(BitConverter.GetBytes(row.Partition));
            hash.AppendData(BitConverter.GetBytes(row.Offset));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
