using Parquet;
using Parquet.Schema;

namespace Cascade.Cli.Scoring;

/// <summary>Scores as Parquet (Parquet.Net): one non-nullable float column per output, one row group per chunk.</summary>
internal sealed class ParquetScoreWriter : IScoreWriter
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly DataField<float>[] _fields;
    private bool _completed;

    private ParquetScoreWriter(string path, string temporary, Stream stream, ParquetWriter writer, DataField<float>[] fields)
    {
        _path = path;
        _temporary = temporary;
        _stream = stream;
        _writer = writer;
        _fields = fields;
    }

    public static async Task<ParquetScoreWriter> CreateAsync(string path, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        var temporary = path + ".partial";
        var fields = columns.Select(c => new DataField<float>(c)).ToArray();
        var stream = File.Create(temporary);
        try
        {
            var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields.Cast<Field>().ToArray()), stream, cancellationToken: cancellationToken);
            return new ParquetScoreWriter(path, temporary, stream, writer, fields);
        }
        catch
        {
            await stream.DisposeAsync();
            File.Delete(temporary);
            throw;
        }
    }

    public async Task WriteAsync(ReadOnlyMemory<float> scores, int rows, CancellationToken cancellationToken)
    {
        if (rows == 0) return;
        using var group = _writer.CreateRowGroup();
        var column = new float[rows];
        for (var o = 0; o < _fields.Length; o++)
        {
            for (var r = 0; r < rows; r++) column[r] = scores.Span[r * _fields.Length + o];
            await group.WriteAsync(_fields[o], new ReadOnlyMemory<float>(column), cancellationToken: cancellationToken);
        }
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
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
