using Cascade.Cli.Demo;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Serving.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.EndToEnd.Tests;

/// <summary><c>Explain</c> on the served champion: TreeSHAP contributions that add up to the model's own answer.</summary>
public sealed class ExplainTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-explain-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await InProcessHost.StartAsync(_data);
        await RecordStreamer.SetUpAsync(_host.Channel, CancellationToken.None);
        var stream = new SyntheticStream(driftAt: long.MaxValue);
        for (var batch = 0; batch < 3; batch++)
        {
            var request = new IngestRequest { Dataset = DemoDataset.Name };
            request.Records.Add(Enumerable.Range(0, 3_500).Select(_ => DemoDataset.ToRecord(stream.Next())));
            await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).IngestBatchAsync(request);
        }
        await Eventually.WaitUntilAsync(async () => (await new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel).GetServingStatusAsync(new GetServingStatusRequest())).Models.Count > 0,
            "the first model is trained, promoted and served", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Contributions_of_an_entity_s_features_sum_with_the_bias_to_the_model_s_margin()
    {
        var explained = await new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel).ExplainAsync(new PredictRequest { Model = DemoDataset.Model, EntityId = "device-0042" });

        explained.Contributions.Should().HaveCount(10);
        explained.Contributions.Select(c => Math.Abs(c.Contribution_)).Should().BeInDescendingOrder();
        var margin = explained.Bias + explained.Contributions.Sum(c => c.Contribution_);
        var probability = 1 / (1 + Math.Exp(-margin));
        probability.Should().BeApproximately(explained.Outputs[0], 1e-4, "binary:logistic's output is the sigmoid of the margin the contributions add up to");
        var predicted = await new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel).PredictAsync(new PredictRequest { Model = DemoDataset.Model, EntityId = "device-0042" });
        explained.Outputs.Should().Equal(predicted.Outputs);
    }

    [Fact]
    public async Task Explaining_a_wrong_feature_count_or_an_unknown_model_says_what_to_fix()
    {
        var wrong = async () => await new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel).ExplainAsync(new PredictRequest { Model = DemoDataset.Model, Features = new FeatureVector { Values = { 1, 2, 3 } } });
        var error = (await wrong.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Status.Detail.Should().Contain("expects 10 features");
        var unknown = async () => await new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel).ExplainAsync(new PredictRequest { Model = "nope", Features = new FeatureVector { Values = { 1 } } });
        (await unknown.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
