using Cascade.Contracts.Monitoring.V1;
using Cascade.Ml.Artifacts;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Grpc;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Storage;
using Grpc.Core;

namespace Cascade.Monitoring.Tests.Distributions;

/// <summary>
/// GetDistribution below the wire: the watched version's window binned by the reference profile's edges, compared with
/// shares counted by hand on a known window, and each request it cannot answer refused with its status.
/// </summary>
public sealed class GetDistributionTests : IDisposable
{
    private const string Model = "ledger";
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-distribution-").FullName;
    private readonly MonitoringStore _store;
    private readonly ModelMonitors _monitors = new(new MonitoringOptions());
    private readonly MonitoringGrpcService _service;

    public GetDistributionTests()
    {
        _store = new MonitoringStore(Path.Combine(_data, "monitoring.db"));
        _service = new MonitoringGrpcService(_store, new AlertFeed(), _monitors);
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>Edges 0.2, 0.5, 0.8 (four bins), counts 10/20/30/30 and 10 missing of 100 rows.</summary>
    private static DistributionProfile Deciles(string name) => new()
    {
        Name = name, Count = 100, MissingCount = 10, BinEdges = [0.2, 0.5, 0.8], BinCounts = [10, 20, 30, 30],
        Mean = 0.55, Std = 0.25, Min = 0.01, Max = 0.99, Sample = Enumerable.Range(1, 90).Select(i => i / 91f).ToArray(),
    };

    /// <summary>Feature "x" has edges 1 and 2 (three bins), counts 25/50/25, none missing.</summary>
    private static ReferenceProfile Profile() => new()
    {
        Features =
        [
            new DistributionProfile
            {
                Name = "x", Count = 100, MissingCount = 0, BinEdges = [1, 2], BinCounts = [25, 50, 25], Mean = 1.5, Std = 0.6, Min = 0, Max = 3,
                Sample = Enumerable.Range(0, 100).Select(i => i * 0.03f).ToArray(),
            },
            Deciles("y"),
        ],
        Prediction = Deciles("prediction"),
    };

    // Outputs: below the first edge (two, one far below the training range), on and inside [0.2, 0.5), inside [0.5, 0.8),
    // on and above the last edge (one beyond the training range), and one missing.
    private static readonly float[] Outputs = [0.1f, -3f, 0.2f, 0.3f, 0.5f, 0.79f, 0.8f, 0.95f, 1.5f, float.NaN];
    private static readonly float[] Xs = [0.5f, 1f, 1f, 1.5f, 2f, 2.5f, 9f, float.NaN, 0f, 1.99f];

    private void Watch(int version = 1)
    {
        _monitors.Activate(Model, version, Profile(), ModelTask.Regression).Should().BeTrue();
        for (var i = 0; i < Outputs.Length; i++)
        {
            _monitors.Observe(new PredictionRecord($"p{i}", Model, version, $"e{i}", Start.AddSeconds(i), i, new[] { Xs[i], 0.5f }, new[] { Outputs[i] }));
        }
    }

    private Distribution Get(GetDistributionRequest request) => _service.GetDistribution(request, null!).GetAwaiter().GetResult();

    private StatusCode Refusal(GetDistributionRequest request) =>
        FluentActions.Invoking(() => Get(request)).Should().Throw<RpcException>().Which.StatusCode;

    [Fact]
    public void The_prediction_is_the_default_and_its_window_shares_are_counted_in_the_reference_bins_with_missing_apart()
    {
        Watch();

        var distribution = Get(new GetDistributionRequest { Model = Model });

        distribution.Model.Should().Be(Model);
        distribution.Version.Should().Be(1);
        distribution.IsPrediction.Should().BeTrue();
        distribution.Feature.Should().BeEmpty();
        distribution.BinEdges.Should().Equal(0.2, 0.5, 0.8);
        distribution.ReferenceShares.Should().Equal(0.1, 0.2, 0.3, 0.3);
        distribution.ReferenceMissingShare.Should().Be(0.1);
        distribution.ReferenceCount.Should().Be(100);
        // By hand: < 0.2 {0.1, -3}, [0.2, 0.5) {0.2, 0.3}, [0.5, 0.8) {0.5, 0.79}, ≥ 0.8 {0.8, 0.95, 1.5}, missing {NaN}; of 10.
        distribution.CurrentShares.Should().Equal(0.2, 0.2, 0.2, 0.3);
        distribution.CurrentMissingShare.Should().Be(0.1);
        distribution.WindowSize.Should().Be(10);
        distribution.WindowStart.ToDateTimeOffset().Should().Be(Start);
        distribution.WindowEnd.ToDateTimeOffset().Should().Be(Start.AddSeconds(9));
    }

    [Fact]
    public void A_feature_is_binned_by_its_own_reference_edges()
    {
        Watch();

        var distribution = Get(new GetDistributionRequest { Model = Model, Feature = "x", Version = 1 });

        distribution.IsPrediction.Should().BeFalse();
        distribution.Feature.Should().Be("x");
        distribution.BinEdges.Should().Equal(1, 2);
        distribution.ReferenceShares.Should().Equal(0.25, 0.5, 0.25);
        distribution.ReferenceMissingShare.Should().Be(0);
        // By hand: < 1 {0.5, 0}, [1, 2) {1, 1, 1.5, 1.99}, ≥ 2 {2, 2.5, 9}, missing {NaN}; of 10.
        distribution.CurrentShares.Should().Equal(0.2, 0.4, 0.3);
        distribution.CurrentMissingShare.Should().Be(0.1);
    }

    [Fact]
    public void An_empty_window_has_the_reference_and_no_current_shares()
    {
        _monitors.Activate(Model, 1, Profile(), ModelTask.Regression);

        var distribution = Get(new GetDistributionRequest { Model = Model });

        distribution.ReferenceShares.Should().Equal(0.1, 0.2, 0.3, 0.3);
        distribution.CurrentShares.Should().Equal(0, 0, 0, 0);
        distribution.WindowSize.Should().Be(0);
        distribution.WindowStart.Should().BeNull();
    }

    [Fact]
    public void Requests_it_cannot_answer_are_refused_with_the_status_that_says_why()
    {
        Refusal(new GetDistributionRequest { Model = Model }).Should().Be(StatusCode.NotFound, "no version of the model was promoted");
        Refusal(new GetDistributionRequest()).Should().Be(StatusCode.InvalidArgument, "the model is required");
        Watch(version: 2);
        Refusal(new GetDistributionRequest { Model = "unknown" }).Should().Be(StatusCode.NotFound);
        Refusal(new GetDistributionRequest { Model = Model, Version = 1 }).Should().Be(StatusCode.NotFound, "only the watched version's window is held");
        Refusal(new GetDistributionRequest { Model = Model, Version = -1 }).Should().Be(StatusCode.InvalidArgument);
        Refusal(new GetDistributionRequest { Model = Model, Feature = "z" }).Should().Be(StatusCode.InvalidArgument, "the model has no feature z");

        _monitors.For(Model).ActivateWithoutReference(3, ModelTask.Regression);
        Refusal(new GetDistributionRequest { Model = Model }).Should().Be(StatusCode.FailedPrecondition, "v3 has no reference profile");
    }

    [Fact]
    public void A_feature_the_log_withholds_is_refused_rather_than_shown_as_all_missing()
    {
        _monitors.Activate(Model, 1, Profile(), ModelTask.Regression);
        _monitors.Observe(new PredictionRecord("p0", Model, 1, "e0", Start, 0, new[] { float.NaN, 0.5f }, new[] { 0.5f }, new[] { 0 }));

        Refusal(new GetDistributionRequest { Model = Model, Feature = "x" }).Should().Be(StatusCode.FailedPrecondition);
        Get(new GetDistributionRequest { Model = Model, Feature = "y" }).CurrentShares.Should().Equal(0, 0, 1, 0);
    }
}
