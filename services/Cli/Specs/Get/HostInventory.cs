using Cascade.Cli.Demo;
using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Wire;
using Cascade.Contracts;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Grpc.Core;
using FeaturesApi = Cascade.Contracts.Features.V1.Features;
using IngestionApi = Cascade.Contracts.Ingestion.V1.Ingestion;
using RegistryApi = Cascade.Contracts.Registry.V1.Registry;
using ServingApi = Cascade.Contracts.Serving.V1.Serving;
using TrainingApi = Cascade.Contracts.Training.V1.Training;

namespace Cascade.Cli.Specs.Get;

/// <summary>What a host holds, for <c>cascade get</c>: each object as a spec with the facts its service filled in.</summary>
internal sealed class HostInventory(CascadeChannels channels)
{
    public async Task<IReadOnlyList<Listed>> DatasetsAsync(CancellationToken cancellationToken) =>
        (await new IngestionApi.IngestionClient(channels.Ingestion).ListDatasetsAsync(new ListDatasetsRequest(), Call(cancellationToken))).Datasets
            .Select(d => new Listed(nameof(SpecKind.Dataset), d.Spec.Name, DatasetMapping.FromProto(d.Spec), Facts(
                ("schema_version", $"v{d.Meta.SchemaVersion}"), ("entity_column", d.Spec.EntityColumn), ("event_time_column", d.Spec.EventTimeColumn),
                ("label_column", d.Spec.LabelColumn), ("columns", d.Spec.Columns.Count.ToString()),
                ("sensitive", string.Join(", ", d.Spec.Columns.Where(c => c.Sensitive).Select(c => c.Privacy == Contracts.Common.V1.ColumnPrivacy.Drop ? $"{c.Name} (drop)" : c.Name))), ("records_accepted", d.Meta.RecordsAccepted.ToString()))))
            .ToArray();

    public async Task<IReadOnlyList<Listed>> ViewsAsync(CancellationToken cancellationToken) =>
        (await new FeaturesApi.FeaturesClient(channels.Features).ListFeatureViewsAsync(new ListFeatureViewsRequest(), Call(cancellationToken))).Views
            .Select(v => new Listed(nameof(SpecKind.FeatureView), v.Spec.Name, FeatureViewMapping.FromProto(v.Spec), Facts(
                ("version", $"v{v.Meta.Version}"), ("dataset", v.Spec.Dataset), ("features", string.Join(", ", v.Meta.FeatureNames)),
                ("vocabularies", Vocabularies(v.Meta)))))
            .ToArray();

    /// <summary>Each categorical column's vocabulary as the view version resolved it (listed, or computed from the data for top_k): <c>city (one_hot): paris, lyon</c>.</summary>
    private static string Vocabularies(FeatureViewMeta meta) => meta.Categoricals.Count == 0
        ? "-"
        : string.Join("; ", meta.Categoricals.Select(c => $"{c.Column} ({(c.Encoding == Contracts.Common.V1.CategoricalEncoding.OneHot ? "one_hot" : "ordinal")}): {string.Join(", ", c.Vocabulary)}"));

    /// <summary>Training policies, then the traffic policy of every served model (champion-only unless set).</summary>
    public async Task<IReadOnlyList<Listed>> PoliciesAsync(CancellationToken cancellationToken)
    {
        var training = (await new TrainingApi.TrainingClient(channels.Training).ListTrainingPoliciesAsync(new ListTrainingPoliciesRequest(), Call(cancellationToken))).Policies
            .Select(p => new Listed(nameof(SpecKind.TrainingPolicy), p.Spec.Model, TrainingPolicyMapping.FromProto(p.Spec), Facts(
                ("version", $"v{p.Meta.Version}"), ("dataset", p.Spec.Dataset), ("feature_view", p.Spec.FeatureView), ("objective", p.Spec.Objective),
                ("last_job", p.Meta.LastJobAt?.ToDateTimeOffset().ToString("u") ?? "-"))));
        var traffic = (await new ServingApi.ServingClient(channels.Serving).GetServingStatusAsync(new GetServingStatusRequest(), Call(cancellationToken))).Models
            .Select(m => new Listed(nameof(SpecKind.TrafficPolicy), m.Model, TrafficPolicyMapping.FromProto(m), Facts(
                ("champion", $"v{m.Version}"), ("challenger", m.ChallengerVersion == 0 ? "-" : $"v{m.ChallengerVersion}"),
                ("canary_percent", m.CanaryPercent.ToString("R", System.Globalization.CultureInfo.InvariantCulture)), ("shadow", m.Shadow ? "true" : "false"))));
        return training.Concat(traffic).ToArray();
    }

    /// <summary>The registry's models: not declared (training makes them), so listed without a spec.</summary>
    public async Task<IReadOnlyList<Listed>> ModelsAsync(CancellationToken cancellationToken) =>
        (await new RegistryApi.RegistryClient(channels.Registry).ListModelsAsync(new ListModelsRequest(), Call(cancellationToken))).Models
            .Select(m => new Listed("Model", m.Name, null, Facts(
                ("task", m.Task.ToString()), ("champion_version", m.ChampionVersion.ToString()), ("challenger_version", m.ChallengerVersion.ToString()),
                ("latest_version", m.LatestVersion.ToString()), ("created_at", m.CreatedAt?.ToDateTimeOffset().ToString("u") ?? ""))))
            .ToArray();

    private static KeyValuePair<string, string>[] Facts(params (string Name, string Value)[] facts) => facts.Select(f => KeyValuePair.Create(f.Name, f.Value)).ToArray();

    private static CallOptions Call(CancellationToken cancellationToken) => GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken);
}
