using Cascade.Registry.Domain;
using Cascade.Registry.Options;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Microsoft.Extensions.Logging;

namespace Cascade.Registry.Tests;

/// <summary>The registry's warm-up walks the registration path's reads once and leaves no trace in any store.</summary>
public sealed class RegistryWarmUpTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-registry-warmup-").FullName;

    [Fact]
    public async Task The_warm_up_reaches_every_store_and_changes_nothing()
    {
        using var store = new SqliteRegistryStore(Path.Combine(_data, "registry.db"));
        var artifacts = new LocalArtifactStore(Path.Combine(_data, "artifacts"));
        var logs = new ListLogger();
        var warmUp = new RegistryWarmUp(store, artifacts, new PromotionGate(new PromotionGateOptions()), logs);

        await warmUp.StartAsync(CancellationToken.None);
        await warmUp.ExecuteTask!;

        logs.Lines.Should().ContainSingle(l => l.StartsWith("Information: Registration path warmed up in", StringComparison.Ordinal),
            "every read answered (a failed one is logged instead)");
        store.ListModels().Should().BeEmpty();
        store.Audit("cascade-warm-up", 0).Should().BeEmpty();
        store.PendingEvents(10).Should().BeEmpty("no event may leave for a model that does not exist");
        Directory.EnumerateFiles(Path.Combine(_data, "artifacts"), "*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private sealed class ListLogger : ILogger<RegistryWarmUp>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
