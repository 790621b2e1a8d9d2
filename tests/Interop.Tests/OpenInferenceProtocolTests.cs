using System.Diagnostics;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Features.Grpc;
using Cascade.Grpc;
using Cascade.Grpc.Client;
using Cascade.Host;
using Cascade.Ingestion.Grpc;
using Cascade.Interop.Tests.Node;
using Cascade.Serving.Grpc;
using Cascade.Training.Grpc;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Interop.Tests;

/// <summary>
/// The cascade up to serving in the all-in-one host (records → features → training → promotion → hot swap), then a
/// plain OIP v2 client written with grpc-js from the protocol's proto asks the champion for predictions.
/// </summary>
public sealed class OpenInferenceProtocolTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-oip-").FullName;
    private WebApplication _host = null!;
    private GrpcChannel _channel = null!;
    private string _target = string.Empty;

    public async Task InitializeAsync()
    {
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data };
        _host = AllInOneHost.Build(options, _ => { });
        await _host.StartAsync();
        var address = AllInOneHost.GetAddresses(_host, options).Grpc;
        _target = new Uri(address).Authority;
        _channel = GrpcChannel.ForAddress(address);

        var dataset = new DatasetSpec { Name = "points", EntityColumn = "id", EventTimeColumn = "time", LabelColumn = "label" };
        dataset.Columns.Add(new ColumnSpec { Name = "a", Type = ValueType.Float64, Required = true });
        dataset.Columns.Add(new ColumnSpec { Name = "b", Type = ValueType.Float64, Required = true });
        await _channel.UnaryAsync(IngestionMethods.RegisterDataset, new RegisterDatasetRequest { Spec = dataset });
        await _channel.UnaryAsync(FeaturesMethods.ApplyFeatureView, new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = "points-view", Dataset = "points", Passthrough = { "a", "b" } } });
        await _channel.UnaryAsync(TrainingMethods.PutTrainingPolicy, new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = "points-model", Dataset = "points", FeatureView = "points-view", Objective = "binary:logistic", Rounds = 20,
                ValidationFraction = 0.1, HoldoutFraction = 0.2, Triggers = new Cascade.Contracts.Training.V1.Triggers { EveryNewLabeledRows = 1500 },
            },
        });
        var random = new Random(9);
        var batch = new IngestRequest { Dataset = "points" };
        for (var i = 0; i < 2000; i++)
        {
            var a = random.NextDouble() * 2 - 1;
            var b = random.NextDouble() * 2 - 1;
            batch.Records.Add(new Record { RecordId = $"p{i}", EntityId = $"e{i % 40}", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)), Values = { ["a"] = new Value { Float64Value = a }, ["b"] = new Value { Float64Value = b } }, Label = a - b > 0 ? 1 : 0 });
        }
        await _channel.UnaryAsync(IngestionMethods.IngestBatch, batch);

        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromMinutes(2))
        {
            var status = await _channel.UnaryAsync(ServingMethods.GetServingStatus, new GetServingStatusRequest());
            if (status.Models.Any(m => m.Model == "points-model")) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("No model was promoted and loaded by serving within 2 minutes.");
    }

    [Fact]
    public async Task A_grpc_js_oip_client_gets_predictions_and_invalid_argument_for_a_wrong_feature_count()
    {
        var result = await NodePeer.RunScriptAsync("oip_client.js", _target, "points-model");
        result.TryGetProperty("inferError", out _).Should().BeFalse(result.ToString());
        result.GetProperty("features").GetInt32().Should().Be(2);
        result.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).Should().Equal(2);
        result.GetProperty("outputs").EnumerateArray().Should().HaveCount(2).And.AllSatisfy(v => v.GetDouble().Should().BeInRange(0, 1));
        result.GetProperty("wrongCode").GetInt32().Should().Be(3, "3 is INVALID_ARGUMENT");
        result.GetProperty("wrongDetails").GetString().Should().Contain("use [n, 2]");
    }

    [Fact]
    public async Task Cascade_predict_answers_by_entity_and_inline_and_explains_its_errors()
    {
        var byEntity = await _channel.UnaryAsync(ServingMethods.Predict, new PredictRequest { Model = "points-model", EntityId = "e3" });
        byEntity.Outputs.Should().ContainSingle().Which.Should().BeInRange(0, 1);
        byEntity.Version.Should().BeGreaterThan(0);
        var inline = await _channel.UnaryAsync(ServingMethods.Predict, new PredictRequest { Model = "points-model", Features = new FeatureVector { Values = { 0.9f, -0.9f } } });
        inline.Outputs[0].Should().BeGreaterThan(0.5f, "a − b > 0 is the positive class");

        var wrongCount = async () => await _channel.UnaryAsync(ServingMethods.Predict, new PredictRequest { Model = "points-model", Features = new FeatureVector { Values = { 1f } } });
        (await wrongCount.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        var unknown = async () => await _channel.UnaryAsync(ServingMethods.Predict, new PredictRequest { Model = "nope", Features = new FeatureVector { Values = { 1f, 2f } } });
        (await unknown.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        var unknownEntity = async () => await _channel.UnaryAsync(ServingMethods.Predict, new PredictRequest { Model = "points-model", EntityId = "never-seen" });
        (await unknownEntity.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
