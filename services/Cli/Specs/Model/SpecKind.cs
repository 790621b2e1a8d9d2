namespace Cascade.Cli.Specs.Model;

/// <summary>The kinds a spec file can declare, in the order <c>apply</c> applies them (each may depend on the ones before).</summary>
internal enum SpecKind
{
    Dataset,
    FeatureView,
    TrainingPolicy,
    TrafficPolicy,
}
