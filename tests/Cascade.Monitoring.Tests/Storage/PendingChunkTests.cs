using Cascade.Monitoring.Domain.Labels;
using Cascade.Monitoring.Storage;

namespace Cascade.Monitoring.Tests.Storage;

/// <summary>A chunk of waiting predictions reads back as written: every field, nulls and empties, gaps in the sequence.</summary>
public sealed class PendingChunkTests
{
    [Fact]
    public void A_chunk_reads_back_every_prediction_as_written()
    {
        var random = new Random(5);
        var time = new DateTimeOffset(2026, 12, 7, 13, 0, 0, TimeSpan.Zero);
        var added = new List<(long, PendingPrediction)>();
        var sequence = 1_000_000_000_000L;
        for (var i = 0; i < 500; i++)
        {
            sequence += random.Next(1, 3) == 1 ? 1 : random.Next(2, 100_000); // joined before a checkpoint leave gaps
            var outputs = Enumerable.Range(0, random.Next(0, 4)).Select(_ => i % 50 == 0 ? float.NaN : (float)random.NextDouble()).ToArray();
            added.Add((sequence, new PendingPrediction(
                i % 7 == 0 ? $"prédiction-{i}-ß" : Guid.NewGuid().ToString("N"),
                (i % 3) switch { 0 => null, 1 => "", _ => $"entity-{i}" },
                time.AddTicks(random.NextInt64(0, TimeSpan.TicksPerDay)),
                i % 11 == 0 ? 0 : random.NextInt64(0, long.MaxValue),
                outputs,
                (i % 4) switch { 0 => null, 1 => "", 2 => "hash:3f2a", _ => "région=Île" })));
        }
        using var buffer = new MemoryStream();

        PendingChunk.Write(added, 100, 300, buffer);
        var read = PendingChunk.Read(buffer.ToArray()).ToList();

        read.Select(r => r.Sequence).Should().Equal(added.Skip(100).Take(300).Select(a => a.Item1));
        for (var i = 0; i < read.Count; i++)
        {
            var (expected, actual) = (added[100 + i].Item2, read[i].Prediction);
            actual.Should().BeEquivalentTo(expected, o => o.Excluding(p => p.Outputs));
            actual.Outputs.Should().Equal(expected.Outputs, (a, b) => a.Equals(b), "NaN included");
            actual.Time.Offset.Should().Be(TimeSpan.Zero);
        }
    }

    [Fact]
    public void A_chunk_of_another_format_is_refused_with_what_it_is()
    {
        var read = () => PendingChunk.Read([7, 0]).ToList();

        read.Should().Throw<InvalidDataException>().WithMessage("*format 7*reads format 1*");
    }
}
