using Cascade.Ml.Evaluation;
using System.Collections.Concurrent;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Signing;
using Cascade.Storage.Artifacts;

namespace Cascade.Serving.Domain;

/// <summary>
/// The champion of every model, swapped atomically: a request takes the current <see cref="ServedModel"/> once and
/// finishes on it, so requests in flight during a swap complete on the old version and none fails. A version is
/// swapped in only after its artifact was fetched, its manifest's signature checked against <c>trust</c>
/// (before any model file is parsed), its files hash-verified, compiled, its golden samples re-predicted bit for bit
/// and a warm-up run; a failed load keeps the current version, and a refused one throws <see cref="ArtifactRefusedException"/>.
/// </summary>
public sealed class ModelCatalog(IArtifactStore artifacts, string workDirectory, ArtifactTrust trust, TreeEngine engine = TreeEngine.Jit)
{
    private readonly ConcurrentDictionary<string, ServedModel> _champions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _swaps = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, ServedModel> _challengers = new(StringComparer.Ordinal);

    public ServedModel? Find(string model) => _champions.TryGetValue(model, out var served) ? served : null;

    /// <summary>The loaded challenger of a model, for canary and shadow traffic; null when there is none.</summary>
    public ServedModel? FindChallenger(string model) => _challengers.TryGetValue(model, out var served) ? served : null;

    public IReadOnlyCollection<ServedModel> All => _champions.Values.ToArray();

    public long Swaps(string model) => _swaps.GetValueOrDefault(model);

    /// <summary>Loads and verifies a version (XGBoost or ONNX), then makes it the served one. Throws (keeping the current one) if anything fails.</summary>
    public async Task<ServedModel> LoadAndSwapAsync(string model, int version, string sha256, string featureView, CancellationToken cancellationToken)
    {
        if (Find(model) is { } current && current.Version == version)
        {
            return current;
        }
        var served = FindChallenger(model) is { } challenger && challenger.Version == version
            ? challenger with { LoadedAt = DateTimeOffset.UtcNow }
            : await LoadAsync(model, version, sha256, featureView, cancellationToken);
        _champions[model] = served;
        _swaps.AddOrUpdate(model, 1, (_, n) => n + 1);
        // A challenger at or below the new champion is history: it no longer takes canary or shadow traffic.
        if (FindChallenger(model) is { } stale && stale.Version <= version)
        {
            _challengers.TryRemove(KeyValuePair.Create(model, stale));
        }
        return served;
    }

    /// <summary>Loads and verifies a challenger (same checks as a champion) beside the champion.</summary>
    public async Task<ServedModel> LoadChallengerAsync(string model, int version, string sha256, string featureView, CancellationToken cancellationToken)
    {
        if (FindChallenger(model) is { } current && current.Version == version)
        {
            return current;
        }
        if (Find(model) is { } champion && champion.Version >= version)
        {
            throw new InvalidOperationException($"v{version} of '{model}' is not newer than the champion v{champion.Version}; not loaded as challenger.");
        }
        var served = await LoadAsync(model, version, sha256, featureView, cancellationToken);
        _challengers[model] = served;
        return served;
    }

    private async Task<ServedModel> LoadAsync(string model, int version, string sha256, string featureView, CancellationToken cancellationToken)
    {
        var bytes = await artifacts.GetAsync(sha256, cancellationToken);
        var directory = Path.Combine(workDirectory, $"{model}-v{version}-{sha256[..12]}");
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        ArtifactArchive.Unpack(bytes, directory);
        ModelArtifact artifact;
        try
        {
            artifact = ModelArtifact.Load(directory, trust, engine); // signature, hashes, compile, golden samples
        }
        catch (ArtifactRefusedException)
        {
            // Nothing of a refused artifact stays on disk for anyone to pick up.
            Directory.Delete(directory, recursive: true);
            throw;
        }
        WarmUp(artifact);
        return new ServedModel(model, version, sha256, featureView, artifact, DateTimeOffset.UtcNow);
    }

    private static void WarmUp(ModelArtifact artifact)
    {
        // Run the scorer on every golden sample a few times so the first real request meets jitted code (and, for
        // ONNX, a session whose first runs have allocated what they need).
        Span<float> row = stackalloc float[artifact.Scorer.FeatureCount];
        Span<float> output = stackalloc float[artifact.Scorer.OutputCount];
        // Fifty rounds get the compiled trees' loop jitted; an ONNX graph (whose cost per row is the runtime's, and may be
        // large) needs only its first runs.
        var rounds = artifact.IsTreeModel ? 50 : 2;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var sample in artifact.GoldenSamples)
            {
                for (var c = 0; c < row.Length; c++) row[c] = sample.Features[c] ?? float.NaN;
                artifact.Scorer.Predict(row, output);
            }
        }
    }
}
