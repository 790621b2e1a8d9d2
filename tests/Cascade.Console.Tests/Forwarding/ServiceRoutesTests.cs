using Cascade.WebConsole.Forwarding;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Cascade.WebConsole.Tests.Forwarding;

public sealed class ServiceRoutesTests
{
    private readonly IReadOnlyList<ServiceRoutes.Route> _routes = ServiceRoutes.For(ServiceRoutes.Services);

    [Fact]
    public void Every_REST_route_of_the_contracts_goes_to_the_service_that_declares_it()
    {
        _routes.Should().Contain(new ServiceRoutes.Route("GET", "/v1/models/{name}", "registry"));
        _routes.Should().Contain(new ServiceRoutes.Route("POST", "/v1/models/{model}:rollback", "registry"));
        _routes.Should().Contain(new ServiceRoutes.Route("POST", "/v1/models/{model}/jobs", "training"));
        _routes.Should().Contain(new ServiceRoutes.Route("GET", "/v1/models/{model}/drift-history", "monitoring"));
        _routes.Should().Contain(new ServiceRoutes.Route("PUT", "/v1/serving/{model}/traffic", "serving"));
        _routes.Should().Contain(new ServiceRoutes.Route("PUT", "/v1/datasets/{spec_name}", "ingestion"));
    }

    [Fact]
    public void Every_service_has_its_gRPC_Web_path()
    {
        _routes.Where(r => r.Template.StartsWith("/cascade.", StringComparison.Ordinal)).Select(r => r.Area)
            .Should().BeEquivalentTo(["ingestion", "features", "registry", "training", "serving", "monitoring"]);
    }

    [Fact]
    public void Every_template_is_a_valid_ASP_NET_Core_route_and_no_two_routes_collide()
    {
        foreach (var route in _routes)
        {
            var parse = () => RoutePatternFactory.Parse(route.Template);
            parse.Should().NotThrow($"{route.Template} must be a route template");
        }
        _routes.GroupBy(r => (r.Verb, r.Template)).Where(g => g.Count() > 1).Should().BeEmpty("each verb and path has one owner");
    }

    [Theory]
    [InlineData("/v1/feature-views/{feature_view}:online", "/v1/feature-views/{feature_view}:online")]
    [InlineData("/v1/models/{spec.model}/versions", "/v1/models/{spec_model}/versions")]
    [InlineData("/v1/{name=files/**}", "/v1/{**name}")]
    public void HTTP_rule_paths_become_route_templates(string rule, string template) =>
        ServiceRoutes.Template(rule).Should().Be(template);
}
