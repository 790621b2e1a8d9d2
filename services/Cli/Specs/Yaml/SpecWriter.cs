using System.Globalization;
using Cascade.Cli.Specs.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>
/// Writes <see cref="SpecObject"/>s as spec documents, the inverse of <see cref="SpecLoader"/>: what <c>get -o yaml</c>
/// prints is a file <c>apply</c> accepts. Compact output leaves out fields at their defaults; the full form
/// (<c>withDefaults</c>) writes every field, so two specs compare field by field.
/// </summary>
internal static class SpecWriter
{
    public static YamlMappingNode Document(SpecObject spec) => new()
    {
        { "apiVersion", SpecLoader.ApiVersion },
        { "kind", spec.Kind.ToString() },
        { "metadata", new YamlMappingNode { { "name", Text(spec.Name) } } },
        { "spec", Body(spec.Spec, withDefaults: false) },
    };

    public static YamlMappingNode Body(SpecBody body, bool withDefaults) => body switch
    {
        DatasetSpecification dataset => Dataset(dataset, withDefaults),
        FeatureViewSpecification view => FeatureView(view, withDefaults),
        TrainingPolicySpecification policy => TrainingPolicy(policy, withDefaults),
        TrafficPolicySpecification traffic => new YamlMappingNode { { "canary_percent", Number(traffic.CanaryPercent) }, { "shadow", Bool(traffic.Shadow) } },
        _ => throw new ArgumentException($"No writer for {body.GetType().Name}.", nameof(body)),
    };

    /// <summary>Documents as one YAML text, each starting with <c>---</c>.</summary>
    public static string ToYaml(IEnumerable<YamlNode> documents)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        foreach (var document in documents)
        {
            // Explicit starts (---) and implicit ends (no ...): the way spec files are written by hand.
            emitter.Emit(new DocumentStart(null, null, isImplicit: false));
            Emit(emitter, document);
            emitter.Emit(new DocumentEnd(isImplicit: true));
        }
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                emitter.Emit(new Scalar(null, null, scalar.Value ?? "", scalar.Style, isPlainImplicit: true, isQuotedImplicit: true));
                break;
            case YamlSequenceNode sequence:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, sequence.Style));
                foreach (var item in sequence) Emit(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            case YamlMappingNode mapping:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, mapping.Style));
                foreach (var (key, value) in mapping.Children)
                {
                    Emit(emitter, key);
                    Emit(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
        }
    }

    private static YamlMappingNode Dataset(DatasetSpecification dataset, bool all)
    {
        var node = new YamlMappingNode { { "entity_column", Text(dataset.EntityColumn) }, { "event_time_column", Text(dataset.EventTimeColumn) } };
        if (dataset.LabelColumn is not null) node.Add("label_column", Text(dataset.LabelColumn));
        if (all || dataset.NonFinite != NonFiniteHandling.Reject) node.Add("non_finite", SpecNames.Of(dataset.NonFinite));
        if (all || dataset.MaxRecordBytes != 0) node.Add("max_record_bytes", Integer(dataset.MaxRecordBytes));
        if (all || dataset.Partitions != 0) node.Add("partitions", Integer(dataset.Partitions));
        var columns = new YamlSequenceNode();
        foreach (var column in dataset.Columns)
        {
            var item = new YamlMappingNode { { "name", Text(column.Name) }, { "type", SpecNames.Of(column.Type) } };
            if (all || column.Required) item.Add("required", Bool(column.Required));
            if (all || column.Sensitive) item.Add("sensitive", Bool(column.Sensitive));
            // hash is what a sensitive column gets unless told otherwise: written only when it is drop, so both spellings are one spec.
            if (column.Sensitive && column.Privacy != SensitiveTreatment.Hash) item.Add("privacy", SpecNames.Of(column.Privacy));
            columns.Add(item);
        }
        node.Add("columns", columns);
        return node;
    }

    private static YamlMappingNode FeatureView(FeatureViewSpecification view, bool all)
    {
        var node = new YamlMappingNode { { "dataset", Text(view.Dataset) } };
        if (all || view.Passthrough.Count > 0) node.Add("passthrough", new YamlSequenceNode(view.Passthrough.Select(Text)) { Style = SequenceStyle.Flow });
        if (all || view.Aggregations.Count > 0)
        {
            var aggregations = new YamlSequenceNode();
            foreach (var aggregation in view.Aggregations)
            {
                var item = new YamlMappingNode { { "column", Text(aggregation.Column) }, { "function", SpecNames.Of(aggregation.Function) } };
                if (all || aggregation.Window != TimeSpan.Zero) item.Add("window", SpecDurations.Format(aggregation.Window));
                if (aggregation.Name is not null) item.Add("name", Text(aggregation.Name));
                aggregations.Add(item);
            }
            node.Add("aggregations", aggregations);
        }
        if (all || view.Ttl != TimeSpan.Zero) node.Add("ttl", SpecDurations.Format(view.Ttl));
        if (all || view.CategoricalColumns.Count > 0)
        {
            var categoricals = new YamlSequenceNode();
            foreach (var categorical in view.CategoricalColumns)
            {
                var item = new YamlMappingNode { { "column", Text(categorical.Column) }, { "encoding", SpecNames.Of(categorical.Encoding) } };
                if (all || categorical.TopK != 0) item.Add("top_k", Integer(categorical.TopK));
                if (all || categorical.Vocabulary.Count > 0) item.Add("vocabulary", new YamlSequenceNode(categorical.Vocabulary.Select(Text)) { Style = SequenceStyle.Flow });
                if (categorical.Name is not null) item.Add("name", Text(categorical.Name));
                categoricals.Add(item);
            }
            node.Add("categoricals", categoricals);
        }
        return node;
    }

    private static YamlMappingNode TrainingPolicy(TrainingPolicySpecification policy, bool all)
    {
        var node = new YamlMappingNode { { "dataset", Text(policy.Dataset) }, { "feature_view", Text(policy.FeatureView) }, { "objective", Text(policy.Objective) } };
        if (all || policy.Parameters.Count > 0)
        {
            var parameters = new YamlMappingNode();
            foreach (var (name, value) in policy.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal)) parameters.Add(Text(name), Text(value));
            node.Add("parameters", parameters);
        }
        if (all || policy.Rounds != 0) node.Add("rounds", Integer(policy.Rounds));
        if (all || policy.EarlyStoppingRounds != 0) node.Add("early_stopping_rounds", Integer(policy.EarlyStoppingRounds));
        if (all || policy.ValidationFraction != 0) node.Add("validation_fraction", Number(policy.ValidationFraction));
        if (all || policy.HoldoutFraction != 0) node.Add("holdout_fraction", Number(policy.HoldoutFraction));
        if (all || policy.MaxTrainingRows != 0) node.Add("max_training_rows", Integer(policy.MaxTrainingRows));
        if (all || policy.NumClass != 0) node.Add("num_class", Integer(policy.NumClass));
        if (policy.Trainer.Length > 0) node.Add("trainer", Text(policy.Trainer));
        if (all || policy.Resources != ResourceSpecification.None)
        {
            var resources = new YamlMappingNode();
            if (policy.Resources.Accelerator is { } accelerator) resources.Add("accelerator", SpecNames.Of(accelerator));
            if (all || policy.Resources.CpuCores != 0) resources.Add("cpu_cores", Integer(policy.Resources.CpuCores));
            node.Add("resources", resources);
        }
        if (all || policy.Triggers != TriggerSpecification.None)
        {
            var triggers = new YamlMappingNode();
            var t = policy.Triggers;
            if (all || t.EveryNewLabeledRows != 0) triggers.Add("every_new_labeled_rows", Integer(t.EveryNewLabeledRows));
            if (all || t.OnDrift) triggers.Add("on_drift", Bool(t.OnDrift));
            if (all || t.Schedule != TimeSpan.Zero) triggers.Add("schedule", SpecDurations.Format(t.Schedule));
            if (all || t.Debounce != TimeSpan.Zero) triggers.Add("debounce", SpecDurations.Format(t.Debounce));
            if (all || t.Cooldown != TimeSpan.Zero) triggers.Add("cooldown", SpecDurations.Format(t.Cooldown));
            node.Add("triggers", triggers);
        }
        if (policy.Segment is { } segment)
        {
            var written = new YamlMappingNode { { "column", Text(segment.Column) } };
            if (all || segment.Bins.Count > 0) written.Add("bins", new YamlSequenceNode(segment.Bins.Select(Number)) { Style = SequenceStyle.Flow });
            if (all || segment.BinCount != 0) written.Add("bin_count", Integer(segment.BinCount));
            if (all || segment.MaxSegments != 0) written.Add("max_segments", Integer(segment.MaxSegments));
            node.Add("monitoring", new YamlMappingNode { { "segment", written } });
        }
        return node;
    }

    /// <summary>A string, quoted when plain it would read as something else (<c>"4"</c>, <c>"true"</c>, <c>""</c>).</summary>
    private static YamlScalarNode Text(string value) =>
        new(value) { Style = YamlScalars.TypeOfPlain(value) == ScalarType.String && value.Trim() == value ? ScalarStyle.Any : ScalarStyle.DoubleQuoted };

    private static YamlScalarNode Integer(long value) => new(value.ToString(CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    private static YamlScalarNode Number(double value) => new(value.ToString("R", CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    private static YamlScalarNode Bool(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };
}
