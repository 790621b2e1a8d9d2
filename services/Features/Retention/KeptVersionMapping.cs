using System.Globalization;
using Cascade.Contracts.Registry.V1;

namespace Cascade.Features.Retention;

/// <summary>The registry's versions (wire type) as the holds need them (<see cref="KeptVersion"/>).</summary>
public static class KeptVersionMapping
{
    /// <summary>
    /// The lineage parameter in which Training records its job's row cap (<c>TrainingSettings.ToLineageParameters</c>
    /// in services/Training; Features cannot reference it). A version that lacks it is held whole below its watermark.
    /// </summary>
    public const string MaxTrainingRowsParameter = "training.max_training_rows";

    /// <summary>The version as a hold, or null when it holds nothing: its artifact was collected, or its lineage names no rows.</summary>
    public static KeptVersion? FromProto(ModelVersion version)
    {
        if (version.Meta?.ArtifactCollectedAt is not null) return null;
        var lineage = version.Spec?.Lineage;
        if (lineage is null || string.IsNullOrEmpty(lineage.FeatureView) || lineage.Watermark is not { Partitions.Count: > 0 } watermark) return null;
        var ends = new Dictionary<int, long>();
        foreach (var partition in watermark.Partitions)
        {
            // A partition named twice: the later end holds more, which is the safe reading.
            ends[partition.Partition] = Math.Max(partition.Offset, ends.GetValueOrDefault(partition.Partition));
        }
        return new KeptVersion(version.Spec!.Model, version.Meta!.Version, lineage.FeatureView, lineage.FeatureViewVersion, ends, Cap(lineage.Parameters));
    }

    /// <summary>The recorded cap; 0 (every labeled row) when it is missing, unreadable or not positive: holding more is safe.</summary>
    private static long Cap(IReadOnlyDictionary<string, string> parameters) =>
        parameters.TryGetValue(MaxTrainingRowsParameter, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var cap) && cap > 0 ? cap : 0;
}
