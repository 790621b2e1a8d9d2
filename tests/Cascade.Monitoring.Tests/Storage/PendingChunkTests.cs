using Cascade.Monitoring.Domain.Labels;
using Cascade.Monitoring.Storage;

namespace Cascade.Monitoring.Tests.Storage;

/// <summary>A chunk of waiting predictions reads back as written: every field, nulls and empties, gaps in the sequence; chunks of any size.</summary>
public sealed class PendingChunkTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-pending-chunks-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

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

    [Fact]
    public void Chunks_larger_than_the_buffer_the_tables_keep_are_written_and_the_next_checkpoint_still_works()
    {
        using var connection = Cascade.Storage.Sqlite.SqliteFiles.OpenDurable(Path.Combine(_data, "m.db"));
        using (var schema = connection.CreateCommand())
        {
            schema.CommandText = PendingPredictionTables.Schema;
            schema.ExecuteNonQuery();
        }
        using var tables = new PendingPredictionTables(connection);
        var time = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        // A model with 300 outputs: 4,096 predictions make a chunk of about 5 MB.
        var large = Enumerable.Range(0, PendingPredictionTables.PredictionsPerChunk)
            .Select(i => ((long)i, new PendingPrediction($"p{i}", null, time, i, new float[300]))).ToArray();

        tables.Write("m", new PendingChanges(true, large, []));
        tables.Write("m", new PendingChanges(false, [(large.Length, new PendingPrediction("last", "e", time, large.Length, [1f]))], [0, 1, 2]));

        var read = tables.Read("m");
        read.Should().HaveCount(large.Length - 3 + 1);
        read[0].PredictionId.Should().Be("p3");
        read[^1].PredictionId.Should().Be("last");
    }
}
