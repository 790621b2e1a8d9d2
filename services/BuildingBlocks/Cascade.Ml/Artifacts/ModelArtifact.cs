using System.Text;
using System.Text.Json;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Training;

namespace Cascade.Ml.Artifacts;

/// <summary>A verified artifact: every hash checked, the model compiled, and its golden samples re-predicted bit for bit.</summary>
public sealed class ModelArtifact
{
    private ModelArtifact(string directory, ModelManifest manifest, CompiledModel compiled, ReferenceProfile profile, IReadOnlyList<GoldenSample> goldenSamples)
    {
        Directory = directory;
        Manifest = manifest;
        Compiled = compiled;
        Profile = profile;
        GoldenSamples = goldenSamples;
    }

    public string Directory { get; }

    public ModelManifest Manifest { get; }

    /// <summary>The pure-C# evaluator of the model.</summary>
    public CompiledModel Compiled { get; }

    public ReferenceProfile Profile { get; }

    public IReadOnlyList<GoldenSample> GoldenSamples { get; }

    /// <summary>Loads and verifies an artifact directory.</summary>
    /// <exception cref="ArtifactException">A file is missing, altered or truncated, or the model disagrees with its golden samples.</exception>
    public static ModelArtifact Load(string directory)
    {
        var manifestPath = Path.Combine(directory, ArtifactFiles.Manifest);
        if (!File.Exists(manifestPath))
        {
            throw new ArtifactException($"'{directory}' is not a model artifact: {ArtifactFiles.Manifest} is missing.");
        }
        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllBytes(manifestPath), ArtifactFiles.Json)
                ?? throw new ArtifactException($"{ArtifactFiles.Manifest} is empty.");
        }
        catch (JsonException ex)
        {
            throw new ArtifactException($"{ArtifactFiles.Manifest} in '{directory}' is not a valid manifest: {ex.Message}");
        }
        if (manifest.FormatVersion != ModelManifest.CurrentFormatVersion)
        {
            throw new ArtifactException($"Artifact format {manifest.FormatVersion} is not supported (this build reads {ModelManifest.CurrentFormatVersion}).");
        }

        var contents = new Dictionary<string, byte[]>();
        foreach (var name in ArtifactFiles.Hashed)
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path))
            {
                throw new ArtifactException($"Artifact file {name} is missing from '{directory}'.");
            }
            if (!manifest.Files.TryGetValue(name, out var expected))
            {
                throw new ArtifactException($"The manifest records no hash for {name}.");
            }
            var bytes = File.ReadAllBytes(path);
            var actual = ArtifactFiles.Sha256(bytes);
            if (actual != expected)
            {
                throw new ArtifactException($"Artifact file {name} was altered or truncated: SHA-256 {actual}, manifest says {expected}.");
            }
            contents[name] = bytes;
        }

        CompiledModel compiled;
        try
        {
            compiled = CompiledModel.FromXgboostJson(Encoding.UTF8.GetString(contents[ArtifactFiles.ModelJson]));
        }
        catch (UnsupportedModelException ex)
        {
            throw new ArtifactException($"The model cannot be compiled: {ex.Message}");
        }
        if (compiled.FeatureCount != manifest.FeatureNames.Count || compiled.OutputCount != manifest.OutputsPerRow)
        {
            throw new ArtifactException($"The model ({compiled.FeatureCount} features, {compiled.OutputCount} outputs) does not match its manifest ({manifest.FeatureNames.Count} features, {manifest.OutputsPerRow} outputs).");
        }
        var profile = JsonSerializer.Deserialize<ReferenceProfile>(contents[ArtifactFiles.ReferenceProfile], ArtifactFiles.Json)!;
        var golden = JsonSerializer.Deserialize<List<GoldenSample>>(contents[ArtifactFiles.GoldenSamples], ArtifactFiles.Json)!;
        VerifyGoldenSamples(compiled, golden);
        return new ModelArtifact(Path.GetFullPath(directory), manifest, compiled, profile, golden);
    }

    /// <summary>Loads the model into XGBoost itself (for the <c>xgboost</c> engine and explanations).</summary>
    public TrainedModel LoadXGBoost() =>
        TrainedModel.Load(File.ReadAllBytes(Path.Combine(Directory, ArtifactFiles.ModelUbj)), Manifest.Objective, Manifest.NumClass, Manifest.FeatureNames, Manifest.Parameters);

    /// <summary>Re-predicts every golden sample with the compiled evaluator; any bit difference refuses the model.</summary>
    public static void VerifyGoldenSamples(CompiledModel compiled, IReadOnlyList<GoldenSample> samples)
    {
        Span<float> row = stackalloc float[compiled.FeatureCount];
        Span<float> output = stackalloc float[compiled.OutputCount];
        for (var s = 0; s < samples.Count; s++)
        {
            var sample = samples[s];
            if (sample.Features.Count != compiled.FeatureCount || sample.OutputBits.Count != compiled.OutputCount)
            {
                throw new ArtifactException($"Golden sample {s} has the wrong shape for the model.");
            }
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = sample.Features[c] ?? float.NaN;
            }
            compiled.Predict(row, output);
            for (var o = 0; o < output.Length; o++)
            {
                if (BitConverter.SingleToUInt32Bits(output[o]) != sample.OutputBits[o])
                {
                    throw new ArtifactException($"Golden sample {s}, output {o}: the compiled model gives {output[o]:R}, XGBoost gave {BitConverter.UInt32BitsToSingle(sample.OutputBits[o]):R}. The artifact will not be served.");
                }
            }
        }
    }
}
