using Parquet;
using Parquet.Schema;

namespace Cascade.Training.Scoring;

/// <summary>
/// The file a batch-scoring job writes: <c>entity_id</c> (string), <c>event_time</c> (UTC) and one non-nullable float
/// column per model output, one row group per chunk, and the job's lineage as the file's key-value metadata so the
/// file says on its own which model scored which rows. Written to a <c>.partial</c> name and renamed when complete:
/// an interrupted job never leaves a file that looks whole.
/// </summary>
/// <remarks>
/// <c>cascade score</c> has its own writer (services/Cli/Scoring) without the entity and time columns: services do
/// not reference the CLI, and the two schemas differ in what identifies a row.
/// </remarks>
internal sealed class ScoresParquetFile : IAsyncDisposable
{
    public const string EntityIdColumn = "entity_id";
    public const string EventTimeColumn = "event_time";

    private readonly string _path;
    private readonly string _temporary;
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly DataField<string> _entityId;
    private readonly DataField<DateTime> _eventTime;
    private readonly DataField<float>[] _outputs;
    private bool _completed;

    private ScoresParquetFile(string path, string temporary, Stream stream, ParquetWriter writer, DataField<string> entityId, DataField<DateTime> eventTime, DataField<float>[] outputs)
    {
        (_path, _temporary, _stream, _writer) = (path, temporary, stream, writer);
        (_entityId, _eventTime, _outputs) = (entityId, eventTime, outputs);
    }

    /// <summary>The output columns of a model with <paramref name="outputs"/> outputs, named as <c>cascade score</c> names them.</summary>
    public static IReadOnlyList<string> OutputColumns(int outputs) =>
        outputs == 1 ? ["prediction"] : Enumerable.Range(0, outputs).Select(c => $"class_{c}").ToArray();

    public static async Task<ScoresParquetFile> CreateAsync(string path, IReadOnlyList<string> outputColumns, CancellationToken cancellationToken)
    {
        var temporary = path + ".partial";
        var entityId = new DataField<string>(EntityIdColumn, false);
        var eventTime = new DataField<DateTime>(EventTimeColumn);
        var outputs = outputColumns.Select(c => new DataField<float>(c)).ToArray();
        var stream = File.Create(temporary);
        try
        {
            var schema = new ParquetSchema(new Field[] { entityId, eventTime }.Concat(outputs).ToArray());
            var writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: cancellationToken);
            return new ScoresParquetFile(path, temporary, stream, writer, entityId, eventTime, outputs);
        }
        catch
        {
            await stream.DisposeAsync();
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes one chunk as a row group: <paramref name="scores"/> holds rows × outputs values, row-major.</summary>
    public async Task WriteAsync(string[] entityIds, DateTime[] eventTimes, float[] scores, int rows, CancellationToken cancellationToken)
    {
        if (rows == 0) return;
        using var group = _writer.CreateRowGroup();
        await group.WriteAsync(_entityId, new ArraySegment<string>(entityIds, 0, rows));
        await group.WriteAsync(_eventTime, new ReadOnlyMemory<DateTime>(eventTimes, 0, rows), cancellationToken: cancellationToken);
        var column = new float[rows];
        for (var o = 0; o < _outputs.Length; o++)
        {
            for (var r = 0; r < rows; r++) column[r] = scores[r * _outputs.Length + o];
            await group.WriteAsync(_outputs[o], new ReadOnlyMemory<float>(column), cancellationToken: cancellationToken);
        }
    }

    /// <summary>Closes the file with <paramref name="metadata"/> in its footer and gives it its final name.</summary>
    public async Task CompleteAsync(IReadOnlyDictionary<string, string> metadata)
    {
        _writer.CustomMetadata = metadata.ToDictionary();
        await _writer.DisposeAsync();
        await _stream.DisposeAsync();
        File.Move(_temporary, _path, overwrite: true);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_completed) return;
        await _writer.DisposeAsync();
        await _stream.DisposeAsync();
        File.Delete(_temporary);
    }
}
