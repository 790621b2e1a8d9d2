using Cascade.Contracts.Features.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cascade.Features.Tests;

/// <summary>
/// <c>ApplyFeatureView</c> refuses a <c>ttl</c> that is no duration of zero or more (found by fuzzing: a non-normalised
/// one was stored and then broke ListFeatureViews' JSON transcoding) and keeps a valid one.
/// </summary>
public sealed class TtlValidationTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-features-ttl-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private Cascade.Contracts.Features.V1.Features.FeaturesClient Client => new(_host.Channel);

    private static FeatureViewSpec View(string name, Duration ttl) => new() { Name = name, Dataset = "d", Passthrough = { "a" }, Ttl = ttl };

    public static TheoryData<long, int> InvalidTtls => new()
    {
        { 5, -1 },              // seconds and nanos of different signs
        { 0, 1_000_000_000 },   // nanos out of range
        { -1, 0 },              // negative
        { 0, -5 },              // negative, in nanos only
    };

    [Theory]
    [MemberData(nameof(InvalidTtls))]
    public async Task A_ttl_that_is_no_duration_of_zero_or_more_is_refused_with_what_to_send_and_not_stored(long seconds, int nanos)
    {
        var spec = View("v", new Duration { Seconds = seconds, Nanos = nanos });

        foreach (var validateOnly in new[] { true, false })
        {
            var apply = async () => await Client.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = spec, ValidateOnly = validateOnly });
            var refused = (await apply.Should().ThrowAsync<RpcException>()).Which;
            refused.StatusCode.Should().Be(StatusCode.InvalidArgument);
            refused.Status.Detail.Should().Contain("ttl").And.Contain("seconds ≥ 0 and nanos within 0..999,999,999");
        }
        (await Client.ListFeatureViewsAsync(new ListFeatureViewsRequest())).Views.Should().BeEmpty();
    }

    [Fact]
    public async Task A_valid_ttl_or_zero_is_accepted_and_kept()
    {
        await Client.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = View("v", Duration.FromTimeSpan(TimeSpan.FromDays(90))) });
        await Client.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = View("w", new Duration()) });

        (await Client.GetFeatureViewAsync(new GetFeatureViewRequest { Name = "v" })).Spec.Ttl.Should().Be(Duration.FromTimeSpan(TimeSpan.FromDays(90)));
        (await Client.GetFeatureViewAsync(new GetFeatureViewRequest { Name = "w" })).Spec.Ttl.Should().Be(new Duration());
    }
}
