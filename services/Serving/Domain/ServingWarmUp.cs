using System.Diagnostics;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Signing;
using Cascade.Serving.Options;
using Cascade.Storage.Artifacts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Serving.Domain;

/// <summary>
/// Walks the first calls of a model load once when Serving starts: the artifact store's first request (S3's client and
/// connection), unpacking an archive, checking a manifest signature (the ECDSA provider's first use) and compiling and
/// running a small tree ensemble with the configured engine. In the distributed demo a fresh Serving took 1.07 s from
/// the first promotion to serving the version (quiet machine), 3.5 s under load, against 0.08–0.2 s for the next one:
/// first calls, not work. Until the first version serves, no prediction reaches Monitoring, so that delay is paid at
/// start. The signing key and the model are made up here and thrown away: nothing is loaded into the catalog. Runs in the
/// background, so the service is ready at once.
/// </summary>
internal sealed partial class ServingWarmUp(IArtifactStore artifacts, ServingEngineOptions engine, ILogger<ServingWarmUp> logger) : BackgroundService
{
    /// <summary>Two trees over two features, in the JSON XGBoost saves (what a model artifact's model.json holds).</summary>
    private const string Model = """
        {"learner":{"objective":{"name":"binary:logistic"},"learner_model_param":{"base_score":"5E-1","num_feature":"2","num_class":"0"},
         "gradient_booster":{"name":"gbtree","model":{"tree_info":[0,0],"trees":[
          {"left_children":[1,-1,-1],"right_children":[2,-1,-1],"split_indices":[0,0,0],"split_conditions":[0.5,-0.25,0.25],"default_left":[1,0,0]},
          {"left_children":[1,-1,-1],"right_children":[2,-1,-1],"split_indices":[1,0,0],"split_conditions":[0.5,-0.1,0.1],"default_left":[0,0,0]}]}}}}
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            // A request to the store and back (its client, connection, credentials), as RegistryWarmUp and TrainingWarmUp make.
            await artifacts.ExistsAsync(new string('0', 64), stoppingToken);
            await Task.Run(Rehearse, stoppingToken);
            LogWarmedUp(logger, stopwatch.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only a head start: whatever failed here says why again, with its cause, on the first real load.
            LogWarmUpFailed(logger, ex);
        }
    }

    private void Rehearse()
    {
        var directory = Directory.CreateTempSubdirectory("cascade-serving-warmup-").FullName;
        try
        {
            var manifest = "{}"u8.ToArray();
            File.WriteAllBytes(Path.Combine(directory, ArtifactFiles.Manifest), manifest);
            using (var key = SigningKey.Create())
            {
                File.WriteAllBytes(Path.Combine(directory, ArtifactFiles.Signature), ManifestSigning.Serialize(ManifestSigning.Sign(manifest, key)));
                var unpacked = Path.Combine(directory, "unpacked");
                ArtifactArchive.Unpack(ArtifactArchive.Pack(directory), unpacked);
                var status = ManifestSigning.Check(unpacked, TrustedKeys.Of(key.PublicKey));
                if (status.State != SignatureState.Trusted) throw new InvalidOperationException($"The warm-up's own signature was not accepted: {status.Detail}");
            }
            var scorer = TreeScorers.Create(CompiledModel.FromXgboostJson(Model, ["a", "b"]), engine.Engine);
            Span<float> row = stackalloc float[scorer.FeatureCount];
            Span<float> output = stackalloc float[scorer.OutputCount];
            for (var i = 0; i < 100; i++)
            {
                row[0] = i % 3 == 0 ? float.NaN : i / 100f;
                row[1] = 1 - i / 100f;
                scorer.Predict(row, output);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model loading warmed up in {Milliseconds} ms (artifact store, archive, signature check, tree compilation)")]
    private static partial void LogWarmedUp(ILogger logger, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming up model loading failed; the first promotion pays the start-up cost")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception);
}
