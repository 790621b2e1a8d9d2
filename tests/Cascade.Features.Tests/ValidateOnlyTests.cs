using Cascade.Contracts.Features.V1;
using Grpc.Core;

namespace Cascade.Features.Tests;

/// <summary>
/// <c>ApplyFeatureView</c> with <c>validate_only</c>: the view that would result (version, feature names), the same
/// refusals, and nothing stored or started (no version, no materialization).
/// </summary>
public sealed class ValidateOnlyTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-features-validate-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private Cascade.Contracts.Features.V1.Features.FeaturesClient Client => new(_host.Channel);

    private static FeatureViewSpec View(params string[] passthrough) => new() { Name = "v", Dataset = "d", Passthrough = { passthrough } };

    [Fact]
    public async Task A_dry_run_answers_the_view_that_would_result_and_stores_and_starts_nothing()
    {
        var preview = await Client.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = View("a", "b"), ValidateOnly = true });

        preview.Meta.Version.Should().Be(1);
        preview.Meta.FeatureNames.Should().Equal("a", "b");
        var get = async () => await Client.GetFeatureViewAsync(new GetFeatureViewRequest { Name = "v" });
        (await get.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        var status = async () => await Client.GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = "v" });
        (await status.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound, "no materialization was started");
        (await Client.ListFeatureViewsAsync(new ListFeatureViewsRequest())).Views.Should().BeEmpty();
    }

    [Fact]
    public async Task A_dry_run_of_a_change_answers_the_next_version_and_the_view_keeps_its_own()
    {
        await Client.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = View("a") });

        (await Client.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = View("a", "b"), ValidateOnly = true })).Meta.Version.Should().Be(2);
        (await Client.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = View("a"), ValidateOnly = true })).Meta.Version.Should().Be(1);

        var stored = await Client.GetFeatureViewAsync(new GetFeatureViewRequest { Name = "v" });
        stored.Meta.Version.Should().Be(1);
        stored.Meta.FeatureNames.Should().Equal("a");
        (await Client.GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = "v" })).ViewVersion.Should().Be(1);
        (await Client.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = View("a") })).Meta.Version.Should().Be(1, "applying the current spec again is no new version");
    }

    [Fact]
    public async Task A_dry_run_refuses_what_applying_refuses()
    {
        var empty = async () => await Client.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = View(), ValidateOnly = true });

        var refused = (await empty.Should().ThrowAsync<RpcException>()).Which;
        refused.StatusCode.Should().Be(StatusCode.InvalidArgument);
        refused.Status.Detail.Should().Contain("has no features");
    }

    [Fact]
    public async Task A_source_dataset_that_cannot_name_a_topic_or_a_window_that_is_no_duration_is_refused_not_stored()
    {
        // Found by the live fuzz campaign: both were stored, and then broke the materializer or answered UNKNOWN.
        var emoji = new FeatureViewSpec { Name = "v", Dataset = "\U0001F600", Passthrough = { "a" } };
        var badWindow = new FeatureViewSpec
        {
            Name = "w", Dataset = "d",
            Aggregations = { new Aggregation { Column = "a", Function = AggregationFunction.Sum, Window = new Google.Protobuf.WellKnownTypes.Duration { Seconds = 5, Nanos = -1 } } },
        };

        foreach (var (spec, expected) in new[] { (emoji, "lower-case letters"), (badWindow, "not a valid duration") })
        {
            var apply = async () => await Client.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = spec });
            var refused = (await apply.Should().ThrowAsync<RpcException>()).Which;
            refused.StatusCode.Should().Be(StatusCode.InvalidArgument);
            refused.Status.Detail.Should().Contain(expected);
        }
        (await Client.ListFeatureViewsAsync(new ListFeatureViewsRequest())).Views.Should().BeEmpty();
    }
}
