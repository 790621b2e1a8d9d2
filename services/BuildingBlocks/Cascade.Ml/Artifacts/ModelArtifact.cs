using System.Text;
using System.Text.Json;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Onnx;
using Cascade.Ml.Signing;
using Cascade.Ml.Training;

namespace Cascade.Ml.Artifacts;

/// <summary>
/// A verified artifact: its signature checked (and, for Serving, required to be by a trusted key), every hash checked,
/// the model loaded (XGBoost trees compiled, or an ONNX graph opened in ONNX Runtime), and its golden samples
/// re-predicted: bit for bit for XGBoost, within <see cref="OnnxGoldenTolerance"/> for ONNX.
/// </summary>
public sealed class ModelArtifact
{
    /// <summary>
    /// How far an ONNX model's output may be from the golden output ONNX Runtime computed when the artifact was built:
    /// |actual − golden| ≤ 1e-5 · max(1, |golden|). Not bit for bit because another build or execution provider of ONNX
    /// Runtime may fuse or vectorize differently and round the last bits otherwise; 1e-5 is far below any difference
    /// a wrong or altered model makes.
    /// </summary>
    public const float OnnxGoldenTolerance = 1e-5f;

    private readonly CompiledModel? _compiled;

    private ModelArtifact(string directory, ModelManifest manifest, SignatureStatus signature, IModelScorer scorer, CompiledModel? compiled, ReferenceProfile? profile, IReadOnlyList<GoldenSample> goldenSamples)
    {
        Directory = directory;
        Manifest = manifest;
        Signature = signature;
        Scorer = scorer;
        _compiled = compiled;
        Profile = profile;
        GoldenSamples = goldenSamples;
    }

    public string Directory { get; }

    public ModelManifest Manifest { get; }

    /// <summary>What is known of the manifest's signature: trusted (when loaded with an <see cref="ArtifactTrust"/>), verified with the key it carries, unsigned.</summary>
    public SignatureStatus Signature { get; }

    /// <summary>What scores rows: for XGBoost the evaluator the load's <see cref="TreeEngine"/> names (trees compiled to machine code by default), ONNX Runtime for ONNX.</summary>
    public IModelScorer Scorer { get; }

    /// <summary>Whether the model is an XGBoost tree ensemble (which explanations and the <c>xgboost</c> engine need).</summary>
    public bool IsTreeModel => _compiled is not null;

    /// <summary>The pure-C# evaluator of an XGBoost model.</summary>
    /// <exception cref="InvalidOperationException">The model is not an XGBoost tree ensemble.</exception>
    public CompiledModel Compiled => _compiled ?? throw new InvalidOperationException($"The model is a {Manifest.EffectiveFramework} model, not an XGBoost tree ensemble: it has no compiled evaluator.");

    /// <summary>The training (or import sample) distributions monitoring compares traffic with; null when the artifact has none.</summary>
    public ReferenceProfile? Profile { get; }

    public IReadOnlyList<GoldenSample> GoldenSamples { get; }

    /// <summary>
    /// Loads and verifies an artifact directory. With <paramref name="trust"/> (Serving), the manifest's signature is
    /// checked first, before any other file is read or any model parsed, and an artifact not signed by a trusted key is
    /// refused; without (offline commands), the signature is checked with the key it carries and only reported
    /// (<see cref="Signature"/>).
    /// </summary>
    /// <exception cref="ArtifactRefusedException">Refused: a signature missing (where required), invalid or by a key not trusted; a file missing or altered.</exception>
    /// <param name="engine">Which bit-identical evaluator scores an XGBoost model (<see cref="Scorer"/>): JIT-compiled trees by default, the node table or the quantised model on request.</param>
    /// <exception cref="ArtifactException">The manifest is unreadable, the model cannot be loaded, or it disagrees with its golden samples.</exception>
    public static ModelArtifact Load(string directory, ArtifactTrust? trust = null, TreeEngine engine = TreeEngine.Jit)
    {
        var manifestPath = Path.Combine(directory, ArtifactFiles.Manifest);
        if (!File.Exists(manifestPath))
        {
            throw new ArtifactException($"'{directory}' is not a model artifact: {ArtifactFiles.Manifest} is missing.");
        }
        // The bytes read once: the signature is checked over exactly what is then parsed.
        var manifestBytes = File.ReadAllBytes(manifestPath);
        var signature = ManifestSigning.Check(manifestBytes, ManifestSigning.ReadSignatureFile(directory), trust?.Keys);
        if (trust is not null)
        {
            trust.Enforce(signature);
        }
        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(manifestBytes, ArtifactFiles.Json)
                ?? throw new ArtifactException($"{ArtifactFiles.Manifest} is empty.");
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            // ArgumentException: a categorical section whose vocabulary or feature names do not fit its encoding.
            throw new ArtifactException($"{ArtifactFiles.Manifest} in '{directory}' is not a valid manifest: {ex.Message}");
        }
        // Required members may still be written as null (found by fuzzing the artifact reader).
        if (manifest.FeatureNames is null || manifest.Files is null || manifest.Source is { FileName: null } or { Sha256: null } or { ArtifactFile: null })
        {
            throw new ArtifactException($"{ArtifactFiles.Manifest} in '{directory}' is not a valid manifest: feature_names, files and the source's fields must not be null.");
        }
        if (manifest.FormatVersion != ModelManifest.CurrentFormatVersion)
        {
            throw new ArtifactException($"Artifact format {manifest.FormatVersion} is not supported (this build reads {ModelManifest.CurrentFormatVersion}).");
        }
        if (manifest.EffectiveFramework is not (ModelFrameworks.XGBoost or ModelFrameworks.Onnx))
        {
            throw new ArtifactException($"The artifact's framework '{manifest.Framework}' is not supported (this build serves {ModelFrameworks.XGBoost} and {ModelFrameworks.Onnx}).");
        }

        CheckCategorical(manifest);
        var contents = ReadVerified(directory, manifest);
        if (manifest.Source is { } source && manifest.Files[source.ArtifactFile] != source.Sha256)
        {
            throw new ArtifactException($"The imported file {source.ArtifactFile} does not hash to the source SHA-256 the manifest records ({source.Sha256}).");
        }

        var scorer = LoadScorer(manifest, contents);
        if (scorer.FeatureCount != manifest.FeatureNames.Count || scorer.OutputCount != manifest.OutputsPerRow)
        {
            throw new ArtifactException($"The model ({scorer.FeatureCount} features, {scorer.OutputCount} outputs) does not match its manifest ({manifest.FeatureNames.Count} features, {manifest.OutputsPerRow} outputs).");
        }
        var profile = manifest.HasReferenceProfile ? ReadJson<ReferenceProfile>(contents, ArtifactFiles.ReferenceProfile) : null;
        var golden = ReadJson<List<GoldenSample>>(contents, ArtifactFiles.GoldenSamples);
        if (golden.Any(g => g?.Features is null || g.OutputBits is null))
        {
            throw new ArtifactException($"{ArtifactFiles.GoldenSamples} has a sample without features or output bits.");
        }
        if (golden.Count == 0)
        {
            throw new ArtifactException("The artifact has no golden samples: nothing proves the model computes what it computed when it was built.");
        }
        if (scorer is CompiledModel compiled)
        {
            VerifyGoldenSamples(compiled, golden);
            // The evaluator that will serve is held to the same bits as the node table that proved the model.
            var treeScorer = TreeScorers.Create(compiled, engine);
            if (!ReferenceEquals(treeScorer, compiled))
            {
                VerifyGoldenSamples(treeScorer, golden, tolerance: 0f);
            }
            return new ModelArtifact(Path.GetFullPath(directory), manifest, signature, treeScorer, compiled, profile, golden);
        }
        VerifyGoldenSamples(scorer, golden, OnnxGoldenTolerance);
        return new ModelArtifact(Path.GetFullPath(directory), manifest, signature, scorer, null, profile, golden);
    }

    /// <summary>A JSON file of the artifact, refused as an <see cref="ArtifactException"/> when it does not read as <typeparamref name="T"/>.</summary>
    private static T ReadJson<T>(Dictionary<string, byte[]> contents, string file) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(contents[file], ArtifactFiles.Json) ?? throw new ArtifactException($"{file} is null.");
        }
        catch (JsonException ex)
        {
            throw new ArtifactException($"{file} is not valid: {ex.Message}");
        }
    }

    /// <summary>Every feature a categorical column encodes is a feature of the model, and belongs to one column only.</summary>
    private static void CheckCategorical(ModelManifest manifest)
    {
        var features = manifest.FeatureNames.ToHashSet(StringComparer.Ordinal);
        var encoded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in manifest.Categorical ?? [])
        {
            foreach (var name in column.FeatureNames)
            {
                if (!features.Contains(name)) throw new ArtifactException($"The manifest's categorical column '{column.Column}' names feature '{name}', which the model does not have.");
                if (!encoded.Add(name)) throw new ArtifactException($"The manifest encodes feature '{name}' from two categorical columns.");
            }
        }
    }

    /// <summary>Reads every file the manifest hashes and the framework needs, refusing a missing, unlisted, altered or truncated one.</summary>
    private static Dictionary<string, byte[]> ReadVerified(string directory, ModelManifest manifest)
    {
        var contents = new Dictionary<string, byte[]>();
        foreach (var name in ArtifactFiles.Required(manifest).Concat(manifest.Files.Keys).Distinct())
        {
            if (Path.GetFileName(name) != name)
            {
                throw new ArtifactException($"The manifest names '{name}', which is not a plain file name.");
            }
            var path = Path.Combine(directory, name);
            if (!File.Exists(path))
            {
                throw new ArtifactRefusedException(ArtifactRefusal.Tampered, $"Artifact file {name} is missing from '{directory}'.");
            }
            if (!manifest.Files.TryGetValue(name, out var expected))
            {
                throw new ArtifactException($"The manifest records no hash for {name}.");
            }
            var bytes = File.ReadAllBytes(path);
            var actual = ArtifactFiles.Sha256(bytes);
            if (actual != expected)
            {
                throw new ArtifactRefusedException(ArtifactRefusal.Tampered, $"Artifact file {name} was altered or truncated: SHA-256 {actual}, manifest says {expected}.");
            }
            contents[name] = bytes;
        }
        return contents;
    }

    private static IModelScorer LoadScorer(ModelManifest manifest, Dictionary<string, byte[]> contents)
    {
        try
        {
            return manifest.EffectiveFramework == ModelFrameworks.Onnx
                ? OnnxScorer.Load(contents[ArtifactFiles.ModelOnnx], manifest.FeatureNames.Count)
                : CompiledModel.FromXgboostJson(Encoding.UTF8.GetString(contents[ArtifactFiles.ModelJson]), manifest.FeatureNames);
        }
        catch (UnsupportedModelException ex)
        {
            throw new ArtifactException($"The model cannot be {(manifest.EffectiveFramework == ModelFrameworks.Onnx ? "loaded" : "compiled")}: {ex.Message}");
        }
    }

    /// <summary>Loads the model into XGBoost itself (for the <c>xgboost</c> engine and explanations).</summary>
    /// <exception cref="InvalidOperationException">The model is not an XGBoost tree ensemble.</exception>
    public TrainedModel LoadXGBoost() => !IsTreeModel
        ? throw new InvalidOperationException($"The model is a {Manifest.EffectiveFramework} model; only XGBoost tree ensembles load into XGBoost.")
        : TrainedModel.Load(File.ReadAllBytes(Path.Combine(Directory, ArtifactFiles.ModelUbj)), Manifest.Objective, Manifest.NumClass, Manifest.FeatureNames, Manifest.Parameters);

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

    /// <summary>
    /// Re-predicts every golden sample with a scorer whose outputs may differ in the last bits from the run that made
    /// them (ONNX Runtime): each output within <paramref name="tolerance"/> · max(1, |golden|), NaN only where the golden is NaN.
    /// </summary>
    public static void VerifyGoldenSamples(IModelScorer scorer, IReadOnlyList<GoldenSample> samples, float tolerance)
    {
        var row = new float[scorer.FeatureCount];
        var output = new float[scorer.OutputCount];
        for (var s = 0; s < samples.Count; s++)
        {
            var sample = samples[s];
            if (sample.Features.Count != scorer.FeatureCount || sample.OutputBits.Count != scorer.OutputCount)
            {
                throw new ArtifactException($"Golden sample {s} has the wrong shape for the model.");
            }
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = sample.Features[c] ?? float.NaN;
            }
            scorer.Predict(row, output);
            for (var o = 0; o < output.Length; o++)
            {
                var golden = BitConverter.UInt32BitsToSingle(sample.OutputBits[o]);
                var agrees = float.IsNaN(golden)
                    ? float.IsNaN(output[o])
                    : Math.Abs(output[o] - golden) <= tolerance * Math.Max(1f, Math.Abs(golden));
                if (!agrees)
                {
                    throw new ArtifactException($"Golden sample {s}, output {o}: the model gives {output[o]:R}, it gave {golden:R} when the artifact was built (tolerance {tolerance:R} relative). The artifact will not be served.");
                }
            }
        }
    }
}
