using System.CommandLine;
using Cascade.Cli.Commands;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Host;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Cascade.Cli.Tests.Ingest;

/// <summary>
/// An all-in-one host on free ports shared by the ingest tests of one class (each test uses its own dataset), and
/// <c>cascade ingest</c> run through the real command definition with its output captured.
/// </summary>
public sealed class IngestHostFixture : IAsyncLifetime
{
    private WebApplication _host = null!;

    public string Data { get; } = Directory.CreateTempSubdirectory("cascade-cli-ingest-").FullName;

    /// <summary>The host's gRPC address, passed to every command with --grpc.</summary>
    public string Address { get; private set; } = "";

    public GrpcChannel Channel { get; private set; } = null!;

    public Contracts.Ingestion.V1.Ingestion.IngestionClient Ingestion => new(Channel);

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    public async Task InitializeAsync()
    {
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = Path.Combine(Data, "host") };
        _host = AllInOneHost.Build(options, _ => { });
        await _host.StartAsync();
        Address = AllInOneHost.GetAddresses(_host, options).Grpc;
        Channel = GrpcChannel.ForAddress(Address);
    }

    /// <summary>Runs <c>cascade ingest ARGS</c> (no --grpc added: the caller passes it).</summary>
    public static async Task<Result> IngestAsync(params string[] args)
    {
        var root = new RootCommand { IngestCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await root.Parse(["ingest", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new Result(exit, output.ToString(), error.ToString());
    }

    public async Task<long> AcceptedAsync(string dataset) =>
        (await Ingestion.GetDatasetAsync(new GetDatasetRequest { Name = dataset })).Meta.RecordsAccepted;

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Directory.Delete(Data, recursive: true);
    }
}
