using System.Security.Cryptography;
using Cascade.Contracts.Registry.V1;
using Cascade.EventLog.Embedded;
using Cascade.Hosting;
using Cascade.Registry.Domain;
using Cascade.Registry.Grpc;
using Cascade.Registry.Messaging;
using Cascade.Registry.Options;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cascade.Registry.Tests.Upload;

/// <summary><c>UploadArtifact</c> on the real embedded stores: chunks in, a content-addressed artifact out, or the status that says why not.</summary>
public sealed class ArtifactUploadTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-upload-").FullName;
    private SqliteRegistryStore _store = null!;
    private LocalArtifactStore _artifacts = null!;
    private SqliteEventLog _log = null!;
    private RegistryGrpcService _service = null!;

    public Task InitializeAsync()
    {
        _store = new SqliteRegistryStore(Path.Combine(_data, "registry.db"));
        _artifacts = new LocalArtifactStore(Path.Combine(_data, "artifacts"));
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db") });
        var registry = new ModelRegistry(_store, _artifacts, new PromotionGate(new PromotionGateOptions()), new RegistryOutbox(_store, _log, NullLogger<RegistryOutbox>.Instance));
        _service = new RegistryGrpcService(registry, _store, _artifacts, new ArtifactUploadOptions { MaxBytes = 100_000 });
        return Task.CompletedTask;
    }

    private static byte[] Archive(int size) => Enumerable.Range(0, size).Select(i => (byte)(i * 31 % 251)).ToArray();

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static List<ArtifactUploadChunk> Chunks(byte[] archive, int chunkSize, string? sha256 = null, long? totalSize = null)
    {
        var chunks = new List<ArtifactUploadChunk>();
        for (var offset = 0; offset < archive.Length; offset += chunkSize)
        {
            var chunk = new ArtifactUploadChunk { Data = ByteString.CopyFrom(archive, offset, Math.Min(chunkSize, archive.Length - offset)), Offset = offset };
            if (offset == 0)
            {
                chunk.Sha256 = sha256 ?? Sha(archive);
                chunk.TotalSize = totalSize ?? archive.Length;
            }
            chunks.Add(chunk);
        }
        return chunks;
    }

    private Task<UploadArtifactResponse> Upload(IEnumerable<ArtifactUploadChunk> chunks) => _service.UploadArtifact(new ChunkReader(chunks), new TestServerCallContext());

    [Fact]
    public async Task An_archive_sent_in_chunks_is_stored_content_addressed()
    {
        var archive = Archive(70_000);
        var stored = await Upload(Chunks(archive, 16_384));

        stored.Sha256.Should().Be(Sha(archive));
        stored.SizeBytes.Should().Be(archive.Length);
        stored.Uri.Should().NotBeNullOrEmpty();
        (await _artifacts.GetAsync(stored.Sha256)).Should().Equal(archive);
        var again = await Upload(Chunks(archive, 50_000));
        again.Sha256.Should().Be(stored.Sha256, "the same bytes have the same address, however they were chunked");
    }

    [Fact]
    public async Task An_archive_over_the_limit_is_refused_with_resource_exhausted_and_not_stored()
    {
        var archive = Archive(100_001);
        var act = () => Upload(Chunks(archive, 40_000));
        var error = (await act.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        error.Status.Detail.Should().Contain("100001 bytes").And.Contain("at most 100000").And.Contain("Cascade:Registry:Upload:MaxBytes");
        (await _artifacts.ExistsAsync(Sha(archive))).Should().BeFalse();
    }

    [Fact]
    public async Task Bytes_that_do_not_hash_to_the_declared_sha256_are_refused_with_invalid_argument()
    {
        var archive = Archive(20_000);
        var chunks = Chunks(archive, 8_000);
        chunks[1].Data = ByteString.CopyFrom(chunks[1].Data.Span.ToArray().Select(b => (byte)(b ^ 1)).ToArray());
        var act = () => Upload(chunks);
        var error = (await act.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Status.Detail.Should().Contain($"not to the declared sha256 {Sha(archive)}").And.Contain("nothing was stored");
        Directory.EnumerateFiles(Path.Combine(_data, "artifacts"), "*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public async Task Chunks_out_of_order_or_short_of_the_declared_size_are_refused_with_invalid_argument()
    {
        var archive = Archive(20_000);
        var reordered = Chunks(archive, 8_000);
        (reordered[1], reordered[2]) = (reordered[2], reordered[1]);
        var gap = () => Upload(reordered);
        (await gap.Should().ThrowAsync<RpcException>()).Which.Status.Should().Match<Status>(s => s.StatusCode == StatusCode.InvalidArgument && s.Detail.Contains("in order, without gaps"));

        var cut = () => Upload(Chunks(archive, 8_000).Take(2));
        (await cut.Should().ThrowAsync<RpcException>()).Which.Status.Should().Match<Status>(s => s.StatusCode == StatusCode.InvalidArgument && s.Detail.Contains("ended after 16000 of the 20000 bytes"));

        var none = () => Upload([]);
        (await none.Should().ThrowAsync<RpcException>()).Which.Status.StatusCode.Should().Be(StatusCode.InvalidArgument);

        var badSha = () => Upload(Chunks(archive, 8_000, sha256: "ABC"));
        (await badSha.Should().ThrowAsync<RpcException>()).Which.Status.Detail.Should().Contain("not 64 lower-case hex digits");
    }

    [Fact]
    public void The_limit_defaults_to_256_MiB_binds_from_configuration_and_refuses_nonsense()
    {
        new ArtifactUploadOptions().MaxBytes.Should().Be(256L * 1024 * 1024);
        ArtifactUploadOptions.SectionName.Should().Be("Cascade:Registry:Upload");

        Services(new() { ["Cascade:Registry:Upload:MaxBytes"] = "1048576" }).AddValidatedOptions<ArtifactUploadOptions>(ArtifactUploadOptions.SectionName)
            .MaxBytes.Should().Be(1_048_576);
        var zero = () => Services(new() { ["Cascade:Registry:Upload:MaxBytes"] = "0" }).AddValidatedOptions<ArtifactUploadOptions>(ArtifactUploadOptions.SectionName);
        zero.Should().Throw<OptionsValidationException>().WithMessage("*Cascade:Registry:Upload:MaxBytes*");
    }

    private static IServiceCollection Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services;
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _log.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>The client's side of the stream: chunks as a gRPC client would send them.</summary>
    private sealed class ChunkReader(IEnumerable<ArtifactUploadChunk> chunks) : IAsyncStreamReader<ArtifactUploadChunk>
    {
        private readonly IEnumerator<ArtifactUploadChunk> _chunks = chunks.GetEnumerator();

        public ArtifactUploadChunk Current => _chunks.Current;

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(_chunks.MoveNext());
    }
}
