using Cascade.Contracts.Features.V1;
using Cascade.Features.Domain;
using Cascade.Features.Storage;

namespace Cascade.Features.Tests.Storage;

/// <summary>
/// Entity state keeps what a dataset may deliver: with its non_finite policy allowing them, ±∞ (found by the
/// live fuzz campaign: plain JSON refused ∞ and every view dead-lettered the record).
/// </summary>
public sealed class EntityStateJsonTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-state-json-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public void Infinities_survive_a_checkpoint_and_a_reload()
    {
        var path = Path.Combine(_data, "features.db");
        using (var store = new FeatureStateStore(path))
        {
            var view = store.Apply(new FeatureViewSpec { Name = "v", Dataset = "d", Passthrough = { "a", "b" } });
            var state = new EntityState();
            state.Apply(view, DateTimeOffset.UnixEpoch, new Dictionary<string, double> { ["a"] = double.PositiveInfinity, ["b"] = double.NegativeInfinity });
            store.Checkpoint("v@1", new Dictionary<string, EntityState> { ["e1"] = state }, new Dictionary<int, long> { [0] = 1 });
        }

        using var reopened = new FeatureStateStore(path);
        var last = reopened.Load("v@1").States["e1"].Last;

        last["a"].Should().Be(double.PositiveInfinity);
        last["b"].Should().Be(double.NegativeInfinity);
    }
}
