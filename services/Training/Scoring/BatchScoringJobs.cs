using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Training.Domain;
using Cascade.Training.Messaging;
using Cascade.Training.Triggers;

namespace Cascade.Training.Scoring;

/// <summary>
/// Queues batch-scoring jobs: resolves the version (a number, or an alias, the champion by default) in the Registry
/// when the job is queued, so an alias that moves later does not change what the job scores with; picks the view
/// (the version's lineage view by default) and the watermark (its latest materialization by default), and checks the
/// view has every feature the model reads before any worker is busied with it.
/// </summary>
public sealed class BatchScoringJobs(IRegistryGateway registry, TrainingTriggers triggers, JobDispatcher dispatcher)
{
    /// <summary>The aliases the Registry manages: anything else is a mistake, not a missing version.</summary>
    public static readonly IReadOnlyList<string> Aliases = ["champion", "challenger"];

    /// <exception cref="ArgumentException">A malformed request: no model, version and alias both, an unknown alias, a watermark past the view's data, a view without the model's features.</exception>
    /// <exception cref="KeyNotFoundException">No such model, version, or nothing under the alias.</exception>
    /// <exception cref="InvalidOperationException">The view has not materialized anything yet.</exception>
    public async Task<TrainingJob> QueueAsync(TriggerBatchScoringRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Model)) throw new ArgumentException("model is required.");
        if (request.Version < 0) throw new ArgumentException($"version must be positive (or 0 for an alias); got {request.Version}.");
        if (request.Version > 0 && request.Alias.Length > 0) throw new ArgumentException($"give a version or an alias, not both (version {request.Version}, alias '{request.Alias}').");
        var alias = request.Version > 0 ? string.Empty : request.Alias.Length > 0 ? request.Alias : "champion";
        if (alias.Length > 0 && !Aliases.Contains(alias, StringComparer.Ordinal))
        {
            throw new ArgumentException($"alias '{alias}' is not one the Registry manages: use {string.Join(" or ", Aliases)}, or name a version.");
        }
        var version = request.Version > 0
            ? await registry.GetVersionAsync(request.Model, request.Version, cancellationToken) ?? throw new KeyNotFoundException($"Model '{request.Model}' has no version {request.Version}.")
            : await registry.GetAliasAsync(request.Model, alias, cancellationToken) ?? throw new KeyNotFoundException($"Model '{request.Model}' has no {alias} (or no such model).");
        if (version.Meta.ArtifactCollectedAt is not null)
        {
            throw new InvalidOperationException($"{request.Model} v{version.Meta.Version}'s artifact was collected by retention: it cannot score any more.");
        }

        var view = request.FeatureView.Length > 0 ? request.FeatureView : version.Spec.Lineage?.FeatureView ?? string.Empty;
        if (view.Length == 0)
        {
            throw new ArgumentException($"{request.Model} v{version.Meta.Version} records no feature view in its lineage (an imported model?): name the view to score with feature_view.");
        }
        var latest = triggers.Latest(view) ?? throw new InvalidOperationException($"Feature view '{view}' has not materialized any data yet.");
        var missing = version.Spec.FeatureNames.Except(latest.FeatureNames, StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException($"Feature view '{view}' v{latest.ViewVersion} has no column for {string.Join(", ", missing)}, which {request.Model} v{version.Meta.Version} reads.");
        }
        var watermark = request.Watermark is { Partitions.Count: > 0 } given ? Within(given, latest.Watermark, view) : latest.Watermark;

        var job = new TrainingJob
        {
            Id = $"job-{Guid.NewGuid():N}"[..16],
            Spec = new TrainingJobSpec
            {
                Kind = JobKind.Score,
                Model = request.Model,
                Watermark = watermark,
                TriggerReason = $"batch scoring with v{version.Meta.Version}{(alias.Length > 0 ? $" ({alias})" : string.Empty)} on {view}",
                Resources = new ResourceRequest { Accelerator = request.Accelerator == ResourceRequest.Types.Accelerator.Gpu ? ResourceRequest.Types.Accelerator.Gpu : ResourceRequest.Types.Accelerator.Cpu },
                FeatureViewVersion = latest.ViewVersion,
                FeatureNames = { latest.FeatureNames },
                Categoricals = { latest.Categoricals },
                Trigger = TriggerKind.Manual,
                Scoring = new BatchScoringSpec { ModelVersion = version.Meta.Version, Alias = alias, ArtifactSha256 = version.Spec.ArtifactSha256, FeatureView = view },
            },
        };
        return dispatcher.DispatchScoring(job);
    }

    /// <summary>A watermark the caller gave, refused where it reaches past what the view has materialized (those rows may not be in the offline store yet).</summary>
    private static Watermark Within(Watermark given, Watermark materialized, string view)
    {
        var reached = materialized.Partitions.ToDictionary(p => p.Partition, p => p.Offset);
        foreach (var partition in given.Partitions)
        {
            if (!reached.TryGetValue(partition.Partition, out var offset) || partition.Offset > offset)
            {
                throw new ArgumentException($"watermark partition {partition.Partition} offset {partition.Offset} is past what '{view}' has materialized ({(reached.TryGetValue(partition.Partition, out var o) ? o.ToString(System.Globalization.CultureInfo.InvariantCulture) : "nothing")}).");
            }
        }
        return new Watermark { Topic = materialized.Topic, Partitions = { given.Partitions } };
    }
}
