using Cascade.Grpc.Tests.Protos;

namespace Cascade.Grpc.Tests.Infrastructure;

public static class TestMethods
{
    public const string Service = "cascade.testing.v1.TestService";

    public static readonly Method<TestRequest, TestResponse> Unary = new(MethodType.Unary, Service, "Unary", TestRequest.Parser, TestResponse.Parser);
    public static readonly Method<TestRequest, TestResponse> ServerStream = new(MethodType.ServerStreaming, Service, "ServerStream", TestRequest.Parser, TestResponse.Parser);
    public static readonly Method<TestRequest, TestResponse> ClientStream = new(MethodType.ClientStreaming, Service, "ClientStream", TestRequest.Parser, TestResponse.Parser);
    public static readonly Method<TestRequest, TestResponse> Duplex = new(MethodType.DuplexStreaming, Service, "Duplex", TestRequest.Parser, TestResponse.Parser);
    public static readonly Method<TestRequest, TestResponse> Missing = new(MethodType.Unary, Service, "DoesNotExist", TestRequest.Parser, TestResponse.Parser);
}
