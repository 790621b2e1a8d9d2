using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Serving.Privacy;

/// <summary>
/// Which features of a served model come from sensitive dataset columns: the datasets' schemas (<c>DatasetRegistered</c>)
/// joined with the feature views' sources (<c>FeatureViewApplied</c>), both replayed by <see cref="PrivacyFollower"/>.
/// A feature is treated as its source column says; a model whose view or dataset is not known yet has every feature
/// dropped from the log (privacy that is not known is never assumed away), and is logged normally once both arrive.
/// A model without a feature view reads inline features that no schema describes: nothing is withheld.
/// </summary>
public sealed partial class FeaturePrivacyCatalog(PrivacyHasher hasher, ILogger<FeaturePrivacyCatalog>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<FeaturePrivacyCatalog>.Instance;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (int Version, Dictionary<string, FeatureTreatment> Columns)> _datasets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<int, ViewSources>> _views = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedUnknown = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>Changes with every schema or view learnt: a plan resolved under another generation is resolved again.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Learns a dataset's schema; an older schema version than the one known is ignored.</summary>
    public void Apply(DatasetRegistered registered)
    {
        var columns = new Dictionary<string, FeatureTreatment>(StringComparer.Ordinal);
        foreach (var column in registered.Columns) columns[column.Name] = Treatment(column);
        lock (_gate)
        {
            if (_datasets.TryGetValue(registered.Dataset, out var known) && known.Version > registered.SchemaVersion) return;
            _datasets[registered.Dataset] = (registered.SchemaVersion, columns);
            Interlocked.Increment(ref _generation);
        }
    }

    /// <summary>Learns a feature view version's sources (every version is kept: a served model may read an older one).</summary>
    public void Apply(FeatureViewApplied applied)
    {
        var sources = new ViewSources(applied.Dataset, applied.Features.ToDictionary(f => f.Feature, f => (f.Column, f.Categorical), StringComparer.Ordinal));
        lock (_gate)
        {
            if (!_views.TryGetValue(applied.FeatureView, out var versions)) _views[applied.FeatureView] = versions = [];
            versions[applied.Version] = sources;
            Interlocked.Increment(ref _generation);
        }
    }

    /// <summary>What to withhold of a served version's features, resolved once per generation and cached on the version.</summary>
    public LogPrivacy For(Domain.ServedModel served)
    {
        var generation = Generation;
        if (served.PrivacyPlan is { } cached && cached.Generation == generation) return cached.Privacy;
        var privacy = Resolve(served.FeatureView, served.FeatureNames, served.Segment?.Column);
        served.PrivacyPlan = new Domain.PrivacyPlan(generation, privacy);
        return privacy;
    }

    /// <summary>
    /// What to withhold of a model that reads <paramref name="featureNames"/> from <paramref name="featureView"/>, and
    /// of its segment labels when it has a <paramref name="segmentColumn"/> (treated as that dataset column says).
    /// </summary>
    public LogPrivacy Resolve(string featureView, IReadOnlyList<string> featureNames, string? segmentColumn = null)
    {
        if (string.IsNullOrEmpty(featureView)) return LogPrivacy.None;
        ViewSources? view;
        Dictionary<string, FeatureTreatment>? columns = null;
        lock (_gate)
        {
            // The newest version that has every feature the model reads: the version it was trained on, or one that
            // computes them alike.
            view = _views.TryGetValue(featureView, out var versions)
                ? versions.Values.Reverse().FirstOrDefault(v => featureNames.All(v.Features.ContainsKey))
                : null;
            if (view is not null && _datasets.TryGetValue(view.Dataset, out var dataset)) columns = dataset.Columns;
        }
        if (view is null || columns is null)
        {
            ReportUnknown(featureView, view is null ? $"no version of view '{featureView}' with the model's features is known yet" : $"the schema of dataset '{view.Dataset}' is not known yet");
            return new LogPrivacy(featureNames.Select((name, i) => new WithheldGroup(name, [i], FeatureTreatment.Drop)).ToArray(), featureNames.Count, hasher)
            {
                SegmentTreatment = segmentColumn is null ? FeatureTreatment.Keep : FeatureTreatment.Drop,
                SegmentColumn = segmentColumn ?? string.Empty,
            };
        }
        var groups = new List<WithheldGroup>();
        var categorical = new Dictionary<string, (List<int> Indexes, FeatureTreatment Treatment)>(StringComparer.Ordinal);
        for (var i = 0; i < featureNames.Count; i++)
        {
            var (column, isCategorical) = view.Features[featureNames[i]];
            var treatment = columns.GetValueOrDefault(column, FeatureTreatment.Keep);
            if (treatment == FeatureTreatment.Keep) continue;
            if (!isCategorical)
            {
                groups.Add(new WithheldGroup(featureNames[i], [i], treatment));
            }
            else if (categorical.TryGetValue(column, out var encoded))
            {
                encoded.Indexes.Add(i);
            }
            else
            {
                categorical[column] = ([i], treatment);
            }
        }
        groups.AddRange(categorical.Select(c => new WithheldGroup(c.Key, [.. c.Value.Indexes], c.Value.Treatment)));
        var segment = segmentColumn is null ? FeatureTreatment.Keep : columns.GetValueOrDefault(segmentColumn, FeatureTreatment.Keep);
        return groups.Count == 0 && segment == FeatureTreatment.Keep
            ? LogPrivacy.None
            : new LogPrivacy(groups, featureNames.Count, hasher) { SegmentTreatment = segment, SegmentColumn = segmentColumn ?? string.Empty };
    }

    private static FeatureTreatment Treatment(DatasetColumn column) => column.Privacy switch
    {
        ColumnPrivacy.Drop => FeatureTreatment.Drop,
        ColumnPrivacy.Hash => FeatureTreatment.Hash,
        _ => column.Sensitive ? FeatureTreatment.Hash : FeatureTreatment.Keep,
    };

    private void ReportUnknown(string featureView, string why)
    {
        lock (_gate)
        {
            if (!_reportedUnknown.Add(featureView)) return;
        }
        LogUnknown(_logger, featureView, why);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Predictions of models over view {FeatureView} are logged without their features until its privacy is known: {Why}")]
    private static partial void LogUnknown(ILogger logger, string featureView, string why);

    private sealed record ViewSources(string Dataset, Dictionary<string, (string Column, bool Categorical)> Features);
}
