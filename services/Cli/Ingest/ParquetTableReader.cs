using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace Cascade.Cli.Ingest;

/// <summary>
/// Reads a Parquet file one row group at a time (Parquet.Net), only the columns asked for, and hands out its rows
/// numbered from 1. Memory is bounded by the largest row group's wanted columns. Only flat (non-nested,
/// non-repeated) columns of primitive types can be read.
/// </summary>
internal sealed class ParquetTableReader : ITableReader
{
    private readonly string _path;
    private readonly Stream _stream;
    private readonly ParquetReader _reader;
    private readonly Field[] _fields;
    private long _position;

    private ParquetTableReader(string path, Stream stream, ParquetReader reader, long rows)
    {
        _path = path;
        _stream = stream;
        _reader = reader;
        _fields = [.. reader.Schema.Fields];
        Columns = _fields.Select(f => f.Name).ToArray();
        Length = rows;
    }

    public IReadOnlyList<string> Columns { get; }

    public string ProgressUnit => "rows";

    public long Position => Interlocked.Read(ref _position);

    public long Length { get; }

    /// <exception cref="IngestUsageException">The file is not Parquet, or its header is unusable.</exception>
    public static async Task<ParquetTableReader> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(path);
        try
        {
            ParquetReader reader;
            try
            {
                // Byte arrays without a string annotation (older writers' strings) read as UTF-8 text: a dataset has no binary type.
                reader = await ParquetReader.CreateAsync(stream, new ParquetOptions { TreatByteArrayAsString = true }, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new IngestUsageException($"{path}: not a readable Parquet file ({ex.Message}).");
            }
            long rows = 0;
            for (var i = 0; i < reader.RowGroupCount; i++)
            {
                using var group = reader.OpenRowGroupReader(i);
                rows += group.RowCount;
            }
            var table = new ParquetTableReader(path, stream, reader, rows);
            TableReaders.CheckHeader(path, table.Columns);
            return table;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    public async IAsyncEnumerable<SourceRow> ReadAsync(IReadOnlyCollection<int> columns, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var wanted = columns.Select(c => (Index: c, Field: Flat(c))).ToArray();
        long row = 0;
        for (var g = 0; g < _reader.RowGroupCount; g++)
        {
            using var group = _reader.OpenRowGroupReader(g);
            var count = checked((int)group.RowCount);
            var data = new object?[wanted.Length][];
            for (var w = 0; w < wanted.Length; w++)
            {
                data[w] = await ParquetColumns.ReadAsync(group, wanted[w].Field, count, cancellationToken);
            }
            for (var r = 0; r < count; r++)
            {
                var cells = new object?[_fields.Length];
                for (var w = 0; w < wanted.Length; w++)
                {
                    cells[wanted[w].Index] = data[w][r];
                }
                Interlocked.Increment(ref _position);
                yield return new SourceRow(++row, cells);
            }
        }
    }

    private DataField Flat(int index) => _fields[index] is DataField { IsArray: false } field
        ? field
        : throw new IngestUsageException($"{_path}: column '{_fields[index].Name}' is a nested or repeated Parquet field (struct, list or map): only flat columns can be ingested.");

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _stream.DisposeAsync();
    }

    public override string ToString() => _path;
}
