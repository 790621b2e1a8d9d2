using System.Diagnostics;
using System.Text.Json;

namespace Cascade.Interop.Tests.Peers;

/// <summary>
/// grpcio (Debian's python3-grpcio 1.51) with stubs that Debian's protoc 3.21 and grpc_python_plugin 1.51 — the
/// versions of python3-protobuf and python3-grpcio — generate from <c>contracts/protos</c> into a temporary folder,
/// once per test class. Debian's python3-grpc-tools (1.14, protoc 3.5) cannot: it rejects proto3 <c>optional</c>.
/// </summary>
public sealed class PythonPeer : IAsyncLifetime
{
    // The python3 first on PATH may be a separate build that cannot see Debian's packages.
    private const string Interpreter = "/usr/bin/python3";
    private const string Protoc = "/usr/bin/protoc";
    private const string GrpcPlugin = "/usr/bin/grpc_python_plugin";
    private const string Packages = "python3-grpcio protobuf-compiler protobuf-compiler-grpc";

    private readonly string _stubs = Directory.CreateTempSubdirectory("cascade-grpcio-").FullName;

    public async Task InitializeAsync()
    {
        foreach (var tool in new[] { Interpreter, Protoc, GrpcPlugin })
        {
            if (!File.Exists(tool))
            {
                throw new InvalidOperationException($"{tool} is missing: apt-get install {Packages} (./test.sh does it).");
            }
        }
        // google/api/annotations.proto and http.proto come from the JSON transcoding package (copied by the .csproj).
        var googleApi = Path.Combine(AppContext.BaseDirectory, "protos");
        var protos = Directory.EnumerateFiles(Path.Combine(Repository.Protos, "cascade"), "*.proto", SearchOption.AllDirectories)
            .Append(Path.Combine(Repository.Protos, "inference", "grpc_predict_v2.proto"))
            .Select(path => Path.GetRelativePath(Repository.Protos, path))
            .Concat(["google/api/annotations.proto", "google/api/http.proto"]);
        await GenerateAsync([Repository.Protos, googleApi], protos);
        // grpc/health/v1 would generate a package `grpc` that hides grpcio's own: compiled from its own root, it is `health.v1`.
        await GenerateAsync([Path.Combine(Repository.Protos, "grpc")], ["health/v1/health.proto"]);
    }

    /// <summary>Runs <c>grpcio_client.py target scenario arguments</c> and parses the JSON outcome it prints.</summary>
    public Task<JsonElement> RunClientAsync(string target, string scenario, object arguments)
    {
        var start = new ProcessStartInfo(Interpreter, ["grpcio_client.py", target, scenario, JsonSerializer.Serialize(arguments)])
        {
            WorkingDirectory = Repository.InteropTests("Python"),
        };
        start.Environment["PYTHONPATH"] = _stubs;
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        return ForeignProcess.RunForJsonAsync(start);
    }

    private Task GenerateAsync(IEnumerable<string> roots, IEnumerable<string> protos)
    {
        var start = new ProcessStartInfo(Protoc);
        foreach (var root in roots)
        {
            start.ArgumentList.Add($"--proto_path={root}");
        }
        start.ArgumentList.Add($"--python_out={_stubs}");
        start.ArgumentList.Add($"--grpc_python_out={_stubs}");
        start.ArgumentList.Add($"--plugin=protoc-gen-grpc_python={GrpcPlugin}");
        foreach (var proto in protos)
        {
            start.ArgumentList.Add(proto.Replace('\\', '/'));
        }
        return ForeignProcess.RunAsync(start);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_stubs, recursive: true);
        return Task.CompletedTask;
    }
}
