using Cascade.Contracts;
using Google.Protobuf.Reflection;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Cascade.Hosting.Tests;

/// <summary>Server reflection, both versions, as grpcurl-style tools use it: list the services, then fetch a service's file.</summary>
public class ReflectionTests(HostFixture host) : IClassFixture<HostFixture>
{
    private static readonly string[] Services =
    [
        "cascade.ingestion.v1.Ingestion", "cascade.features.v1.Features", "cascade.training.v1.Training", "cascade.registry.v1.Registry",
        "cascade.serving.v1.Serving", "cascade.monitoring.v1.Monitoring", "inference.GRPCInferenceService", "grpc.health.v1.Health",
    ];

    [Fact]
    public async Task V1_lists_every_service_and_describes_the_serving_api()
    {
        using var call = new V1.ServerReflection.ServerReflectionClient(host.Channel).ServerReflectionInfo(GrpcCalls.Within(TimeSpan.FromSeconds(30)));
        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { ListServices = "" });
        (await call.ResponseStream.MoveNext(default)).Should().BeTrue();
        call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Should().Contain(Services).And.Contain("grpc.reflection.v1.ServerReflection");

        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { FileContainingSymbol = "cascade.serving.v1.Serving" });
        (await call.ResponseStream.MoveNext(default)).Should().BeTrue();
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b)).ToArray();
        var serving = files.Single(f => f.Package == "cascade.serving.v1");
        serving.Service.Single().Method.Select(m => m.Name).Should().Contain(["Predict", "PredictBatch", "PredictStream", "Explain"]);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task V1alpha_lists_every_service()
    {
        using var call = new V1Alpha.ServerReflection.ServerReflectionClient(host.Channel).ServerReflectionInfo(GrpcCalls.Within(TimeSpan.FromSeconds(30)));
        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { ListServices = "" });
        (await call.ResponseStream.MoveNext(default)).Should().BeTrue();
        call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Should().Contain(Services);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task An_unknown_symbol_is_answered_with_not_found_in_the_stream()
    {
        using var call = new V1.ServerReflection.ServerReflectionClient(host.Channel).ServerReflectionInfo(GrpcCalls.Within(TimeSpan.FromSeconds(30)));
        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { FileContainingSymbol = "no.such.Service" });
        (await call.ResponseStream.MoveNext(default)).Should().BeTrue();
        call.ResponseStream.Current.ErrorResponse.ErrorCode.Should().Be((int)global::Grpc.Core.StatusCode.NotFound);
        await call.RequestStream.CompleteAsync();
    }
}
