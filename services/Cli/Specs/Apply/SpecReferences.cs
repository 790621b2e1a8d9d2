using Cascade.Cli.Specs.Model;

namespace Cascade.Cli.Specs.Apply;

/// <summary>
/// The objects an object names (a view its dataset; a training policy its dataset and view). The services accept a
/// dangling name and the object would silently never work (a view of no dataset materializes nothing), so apply refuses it.
/// </summary>
internal static class SpecReferences
{
    public static IReadOnlyList<(SpecKind Kind, string Name)> Of(SpecObject spec) => spec.Spec switch
    {
        FeatureViewSpecification view => [(SpecKind.Dataset, view.Dataset)],
        TrainingPolicySpecification policy => [(SpecKind.Dataset, policy.Dataset), (SpecKind.FeatureView, policy.FeatureView)],
        _ => [],
    };

    /// <summary>Why <paramref name="spec"/> cannot be applied: what it names that will not exist, and whether the files declare it (but it is refused).</summary>
    public static string Explain(SpecObject spec, IReadOnlyList<(SpecKind Kind, string Name)> missing, IReadOnlyList<SpecObject> declared) =>
        string.Join("; ", missing.Select(m => declared.Any(d => d.Kind == m.Kind && d.Name == m.Name)
            ? $"it needs {m.Kind}/{m.Name}, which is refused"
            : $"it needs {m.Kind}/{m.Name}, which neither the host holds nor the files declare"));
}
