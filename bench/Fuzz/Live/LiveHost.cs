using Cascade.Cli.Import;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Host;
using Cascade.Ml.Data;
using Cascade.Ml.Import;
using Cascade.Ml.Signing;
using Cascade.Ml.Training;
using Google.Protobuf.WellKnownTypes;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Fuzz.Live;

/// <summary>
/// An all-in-one host on ephemeral loopback ports (authentication off, the default there), its log captured, and
/// something in it for requests to find: a dataset with records, a feature view over it, and a served model.
/// </summary>
public sealed class LiveHost : IAsyncDisposable
{
    public const string Dataset = "fuzz-sensors";
    public const string View = "fuzz-view";
    public const string Model = "fuzz-model";
    public static readonly string[] FeatureNames = ["f0", "f1", "f2"];
    public static readonly string[] Entities = ["d1", "d2", "d3", "d4"];

    private readonly string _data;
    private readonly bool _ownsData;

    private LiveHost(WebApplication app, LogCapture logs, string grpc, string http, string data, bool ownsData)
    {
        App = app;
        Logs = logs;
        Grpc = grpc;
        Http = http;
        _data = data;
        _ownsData = ownsData;
        Channel = GrpcChannel.ForAddress(grpc);
    }

    public WebApplication App { get; }

    public LogCapture Logs { get; }

    public string Grpc { get; }

    public string Http { get; }

    public GrpcChannel Channel { get; }

    /// <summary>The served model's artifact SHA-256 (a name the registry knows).</summary>
    public string ArtifactSha256 { get; private set; } = string.Empty;

    /// <summary>Starts the host and sets up the dataset, view and model; <paramref name="dataDirectory"/> null uses a new temporary one.</summary>
    public static async Task<LiveHost> StartAsync(string? dataDirectory = null, CancellationToken cancellationToken = default)
    {
        var owns = dataDirectory is null;
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("cascade-fuzz-host-").FullName;
        var logs = new LogCapture();
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data };
        var app = AllInOneHost.Build(options, logging => logging.AddProvider(logs).SetMinimumLevel(Environment.GetEnvironmentVariable("FUZZ_LOG_ALL") == "1" ? LogLevel.Debug : LogLevel.Warning));
        await app.StartAsync(cancellationToken);
        var (grpc, http) = AllInOneHost.GetAddresses(app, options);
        var host = new LiveHost(app, logs, grpc, http, data, owns);
        try
        {
            await host.SetUpAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    private async Task SetUpAsync(CancellationToken cancellationToken)
    {
        var ingestion = new Contracts.Ingestion.V1.Ingestion.IngestionClient(Channel);
        await ingestion.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = new DatasetSpec
            {
                Name = Dataset, EntityColumn = "device", EventTimeColumn = "ts", LabelColumn = "failed",
                Columns =
                {
                    new ColumnSpec { Name = "t", Type = ValueType.Float64, Required = true },
                    new ColumnSpec { Name = "h", Type = ValueType.Float64 },
                    new ColumnSpec { Name = "zone", Type = ValueType.String },
                    new ColumnSpec { Name = "on", Type = ValueType.Bool },
                    new ColumnSpec { Name = "count", Type = ValueType.Int64 },
                },
            },
        }, cancellationToken: cancellationToken);
        await new Contracts.Features.V1.Features.FeaturesClient(Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest
        {
            Spec = new FeatureViewSpec
            {
                Name = View, Dataset = Dataset, Passthrough = { "t", "h" },
                Aggregations = { new Aggregation { Column = "t", Function = AggregationFunction.Mean, Window = Duration.FromTimeSpan(TimeSpan.FromHours(1)), Name = "t_mean_1h" } },
            },
        }, cancellationToken: cancellationToken);
        var batch = new IngestRequest { Dataset = Dataset };
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        for (var i = 0; i < 40; i++)
        {
            batch.Records.Add(SampleRecord(i, start.AddSeconds(i)));
        }
        await ingestion.IngestBatchAsync(batch, cancellationToken: cancellationToken);
        await ServeModelAsync(cancellationToken);
    }

    /// <summary>A valid record of the fuzz dataset.</summary>
    public static Record SampleRecord(int i, DateTimeOffset time)
    {
        var record = new Record { EntityId = Entities[i % Entities.Length], EventTime = Timestamp.FromDateTimeOffset(time) };
        record.Values["t"] = new Contracts.Common.V1.Value { Float64Value = 20 + i % 7 };
        record.Values["h"] = new Contracts.Common.V1.Value { Float64Value = 0.5 + i % 3 / 10.0 };
        record.Values["zone"] = new Contracts.Common.V1.Value { StringValue = i % 2 == 0 ? "north" : "south" };
        record.Values["on"] = new Contracts.Common.V1.Value { BoolValue = i % 3 == 0 };
        record.Values["count"] = new Contracts.Common.V1.Value { Int64Value = i };
        if (i % 2 == 0) record.Label = i % 4 == 0 ? 1 : 0;
        return record;
    }

    /// <summary>Trains a small XGBoost model here and imports it as <c>cascade models import</c> does; waits until Serving serves it.</summary>
    private async Task ServeModelAsync(CancellationToken cancellationToken)
    {
        var work = Path.Combine(_data, "fuzz-model");
        Directory.CreateDirectory(work);
        var file = Path.Combine(work, "model.json");
        File.WriteAllBytes(file, TinyModel.Json());
        var request = new ImportRequest { ModelFile = file, FeatureNames = LiveHost.FeatureNames };
        // Signed with the host's own key, which its Serving trusts (as `cascade models import` does against the all-in-one host).
        using var signer = SigningKey.Load(HostSigningKey.EnsureCreated(_data));
        var (imported, artifact) = ModelImport.Build(request, work, signer);
        var outcome = await ModelImport.RunAsync(Channel, Model, request, imported, artifact, force: true, work, cancellationToken);
        ArtifactSha256 = outcome.Artifact.Sha256;
        var serving = new Contracts.Serving.V1.Serving.ServingClient(Channel);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while ((await serving.GetServingStatusAsync(new GetServingStatusRequest(), cancellationToken: cancellationToken)).Models.All(m => m.Model != Model))
        {
            if (DateTimeOffset.UtcNow > deadline) throw new TimeoutException($"The imported model {Model} was not served within 60 s.");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Whether every service (and the server as a whole, "") reports SERVING, and <c>/healthz</c> answers 200.</summary>
    public async Task<(bool Healthy, string Detail)> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var health = new Health.HealthClient(Channel);
        var problems = new List<string>();
        foreach (var service in new[] { string.Empty }.Concat(Cascade.Hosting.Grpc.GrpcHosting.ServedServices(App.Services)))
        {
            if (service == Health.Descriptor.FullName || service.StartsWith("grpc.reflection", StringComparison.Ordinal)) continue;
            try
            {
                var status = (await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken)).Status;
                if (status != HealthCheckResponse.Types.ServingStatus.Serving) problems.Add($"'{service}' is {status}");
            }
            catch (Grpc.Core.RpcException ex)
            {
                problems.Add($"'{service}': {ex.StatusCode} {ex.Status.Detail}");
            }
        }
        using var http = new HttpClient { BaseAddress = new Uri(Http), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var healthz = await http.GetAsync("/healthz", cancellationToken);
            if (!healthz.IsSuccessStatusCode) problems.Add($"/healthz answered {(int)healthz.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            problems.Add($"/healthz did not answer ({ex.Message})");
        }
        return (problems.Count == 0, problems.Count == 0 ? "SERVING, /healthz 200" : string.Join("; ", problems));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        // Not graceful past 15 s: a training job the cases triggered may be waiting between retries.
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            await App.StopAsync(stop.Token);
        }
        await App.DisposeAsync();
        if (_ownsData)
        {
            try
            {
                Directory.Delete(_data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>A small XGBoost model (three features, binary:logistic, a few rounds) trained here through the C API.</summary>
public static class TinyModel
{
    public static byte[] Json(int rounds = 4)
    {
        var random = new Random(7);
        const int rows = 200;
        var features = new float[rows * LiveHost.FeatureNames.Length];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < LiveHost.FeatureNames.Length; c++) features[r * LiveHost.FeatureNames.Length + c] = (float)random.NextDouble() * 4 - 2;
            labels[r] = features[r * LiveHost.FeatureNames.Length] + features[r * LiveHost.FeatureNames.Length + 1] > 0 ? 1 : 0;
        }
        var data = new TabularData(features, rows, LiveHost.FeatureNames, labels);
        var options = new TrainingOptions
        {
            Rounds = rounds,
            Parameters = new(StringComparer.Ordinal) { ["objective"] = "binary:logistic", ["max_depth"] = "2", ["nthread"] = "1" },
        };
        using var model = XGBoostTrainer.Train(data, null, options).Model;
        return model.SaveJson();
    }
}
