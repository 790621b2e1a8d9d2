using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Host;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using FeaturesClient = Cascade.Contracts.Features.V1.Features.FeaturesClient;
using IngestionClient = Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using ServingClient = Cascade.Contracts.Serving.V1.Serving.ServingClient;
using TrainingClient = Cascade.Contracts.Training.V1.Training.TrainingClient;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Interop.Tests.Hosts;

/// <summary>
/// The all-in-one host with the cascade run up to serving (records → features → training → promotion → hot swap) for
/// model <see cref="Model"/> over features a and b (label: a − b &gt; 0). Trained once and shared by every foreign
/// client's tests (<see cref="TrainedCascadeCollection"/>), as training dominates their time.
/// </summary>
public sealed class TrainedCascadeHost : IAsyncLifetime
{
    public const string Model = "points-model";

    private readonly string _data = Directory.CreateTempSubdirectory("cascade-interop-").FullName;
    private WebApplication _host = null!;

    /// <summary>The gRPC endpoint as <c>127.0.0.1:port</c> (what grpc-js and grpcio take).</summary>
    public string Target { get; private set; } = string.Empty;

    /// <summary>Cascade's own client (Grpc.Net.Client) to the gRPC endpoint.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>Entity ids whose features the online store holds.</summary>
    public static IReadOnlyList<string> Entities { get; } = Enumerable.Range(0, 40).Select(i => $"e{i}").ToArray();

    public async Task InitializeAsync()
    {
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data };
        _host = AllInOneHost.Build(options, _ => { });
        await _host.StartAsync();
        var address = AllInOneHost.GetAddresses(_host, options).Grpc;
        Target = new Uri(address).Authority;
        Channel = GrpcChannel.ForAddress(address);

        var within = new CallOptions(deadline: DateTime.UtcNow + TimeSpan.FromMinutes(1));
        var ingestion = new IngestionClient(Channel);
        var dataset = new DatasetSpec { Name = "points", EntityColumn = "id", EventTimeColumn = "time", LabelColumn = "label" };
        dataset.Columns.Add(new ColumnSpec { Name = "a", Type = ValueType.Float64, Required = true });
        dataset.Columns.Add(new ColumnSpec { Name = "b", Type = ValueType.Float64, Required = true });
        await ingestion.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = dataset }, within);
        await new FeaturesClient(Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = "points-view", Dataset = "points", Passthrough = { "a", "b" } } }, within);
        await new TrainingClient(Channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = Model, Dataset = "points", FeatureView = "points-view", Objective = "binary:logistic", Rounds = 20,
                ValidationFraction = 0.1, HoldoutFraction = 0.2, Triggers = new Contracts.Training.V1.Triggers { EveryNewLabeledRows = 1500 },
            },
        }, within);
        var random = new Random(9);
        var batch = new IngestRequest { Dataset = "points" };
        for (var i = 0; i < 2000; i++)
        {
            var a = random.NextDouble() * 2 - 1;
            var b = random.NextDouble() * 2 - 1;
            batch.Records.Add(new Record { RecordId = $"p{i}", EntityId = Entities[i % Entities.Count], EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)), Values = { ["a"] = new Value { Float64Value = a }, ["b"] = new Value { Float64Value = b } }, Label = a - b > 0 ? 1 : 0 });
        }
        await ingestion.IngestBatchAsync(batch, within);

        var serving = new ServingClient(Channel);
        await Eventually.WaitUntilAsync(
            async () => (await serving.GetServingStatusAsync(new GetServingStatusRequest(), new CallOptions(deadline: DateTime.UtcNow + TimeSpan.FromSeconds(10)))).Models.Any(m => m.Model == Model),
            $"{Model} is promoted and loaded by serving", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_host is not null)
        {
            await _host.StopAsync();
            await _host.DisposeAsync();
        }
        Directory.Delete(_data, recursive: true);
    }
}

/// <summary>The test classes that share one <see cref="TrainedCascadeHost"/> (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class TrainedCascadeCollection : ICollectionFixture<TrainedCascadeHost>
{
    public const string Name = "trained cascade";
}
