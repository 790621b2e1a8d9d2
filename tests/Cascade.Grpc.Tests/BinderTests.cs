using Cascade.Grpc.Server;
using Cascade.Grpc.Tests.Infrastructure;
using Cascade.Grpc.Tests.Protos;
using Grpc.Health.V1;

namespace Cascade.Grpc.Tests;

public class BinderTests
{
    [Fact]
    public void Methods_bound_by_name_get_the_standard_path()
    {
        var binder = new GrpcServiceBinder();
        binder.Unary<HealthCheckRequest, HealthCheckResponse>("grpc.health.v1.Health", "Check", HealthCheckRequest.Parser, (_, _) => Task.FromResult(new HealthCheckResponse()));
        binder.ServerStreaming<HealthCheckRequest, HealthCheckResponse>("grpc.health.v1.Health", "Watch", HealthCheckRequest.Parser, (_, _, _) => Task.CompletedTask);
        binder.Methods.Keys.Should().BeEquivalentTo("/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch");
        binder.ServiceNames.Should().Equal("grpc.health.v1.Health");
    }

    [Fact]
    public void Binding_a_method_as_the_wrong_kind_names_the_right_one()
    {
        var act = () => new GrpcServiceBinder().ServerStreaming(TestMethods.Unary, (_, _, _) => Task.CompletedTask);
        act.Should().Throw<ArgumentException>().WithMessage("*declared Unary*binder.Unary*");
    }

    [Fact]
    public void Binding_a_method_twice_is_refused()
    {
        var binder = new GrpcServiceBinder().Unary(TestMethods.Unary, (_, _) => Task.FromResult(new TestResponse()));
        var act = () => binder.Unary(TestMethods.Unary, (_, _) => Task.FromResult(new TestResponse()));
        act.Should().Throw<InvalidOperationException>().WithMessage("*bound twice*");
    }

    [Fact]
    public void A_method_name_with_a_slash_is_refused()
    {
        var act = () => new Method<TestRequest, TestResponse>(MethodType.Unary, "a/b", "C", TestRequest.Parser, TestResponse.Parser);
        act.Should().Throw<ArgumentException>().WithMessage("*'/'*");
    }
}
