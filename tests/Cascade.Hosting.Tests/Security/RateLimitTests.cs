using System.Net;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Serving.V1;
using FluentAssertions;
using Grpc.Core;
using ServingClient = Cascade.Contracts.Serving.V1.Serving.ServingClient;

namespace Cascade.Hosting.Tests.Security;

public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly LimitedHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Predictions_over_the_principals_rate_get_resource_exhausted_with_a_retry_hint()
    {
        using var channel = _host.Channel(_host.PredictorKey);
        var client = new ServingClient(channel);
        RpcException? limited = null;
        for (var i = 0; i < 20 && limited is null; i++)
        {
            try
            {
                await client.PredictAsync(new PredictRequest { Model = "churn" });
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
                limited = ex;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                // Authorized and counted: the model just is not served.
            }
        }
        limited.Should().NotBeNull("20 calls in a burst exceed 3 per second");
        limited!.Status.Detail.Should().Contain("retry after");
        limited.Trailers.GetValue("retry-after").Should().NotBeNullOrEmpty();

        // Another principal has its own bucket.
        using var other = _host.Channel(_host.OperatorKey);
        await Refused.Authorized(async () => await new ServingClient(other).PredictAsync(new PredictRequest { Model = "churn" }));

        // REST answers 429 with Retry-After.
        HttpResponseMessage? response = null;
        for (var i = 0; i < 20; i++)
        {
            response = await _host.Http.SendAsync(_host.Request(HttpMethod.Post, "/v2/models/churn/infer", _host.PredictorKey, """{"inputs":[]}"""));
            if (response.StatusCode == HttpStatusCode.TooManyRequests) break;
        }
        response!.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter.Should().NotBeNull();
    }

    [Fact]
    public async Task Reads_are_not_rate_limited()
    {
        using var channel = _host.Channel(_host.PredictorKey);
        for (var i = 0; i < 20; i++)
        {
            await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channel).ListModelsAsync(new ListModelsRequest());
        }
    }

    private sealed class LimitedHost : AuthHostFixture
    {
        public override string[] ExtraArgs => ["--Cascade:Auth:RateLimits:PredictPerSecond=3"];
    }
}
