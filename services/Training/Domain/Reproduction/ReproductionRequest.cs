using Cascade.Contracts.Registry.V1;
using Cascade.Ml.Artifacts;

namespace Cascade.Training.Domain.Reproduction;

/// <summary>A registered version to train again, with the settings to train it with and what may deliberately differ.</summary>
public sealed record ReproductionRequest
{
    public required ModelVersion Version { get; init; }

    /// <summary>The version's own artifact (downloaded from the registry), compared with the retrained one.</summary>
    public required ModelArtifact Original { get; init; }

    /// <summary>The settings from the lineage (<see cref="TrainingSettings.FromLineage"/>).</summary>
    public required TrainingSettings Settings { get; init; }

    /// <summary>Why <see cref="Settings"/> may not be those of the job (e.g. taken from a policy that changed since): reported as causes.</summary>
    public IReadOnlyList<string> SettingsCauses { get; init; } = [];

    /// <summary>Parameters to train with instead of the recorded ones (a what-if; each one is reported as a cause).</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the retrained artifact is written (new or empty; unsigned, like <c>cascade train</c>'s).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The code version doing the retraining, compared with the one the lineage records.</summary>
    public string CodeVersion { get; init; } = "unknown";
}
