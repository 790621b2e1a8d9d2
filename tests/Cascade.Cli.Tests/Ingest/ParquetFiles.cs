using Parquet;
using Parquet.Schema;

namespace Cascade.Cli.Tests.Ingest;

/// <summary>Writes Parquet files with Parquet.Net, column by column, one row group per call of <see cref="RowGroupAsync"/>.</summary>
internal sealed class ParquetFiles : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly DataField[] _fields;

    private ParquetFiles(Stream stream, ParquetWriter writer, DataField[] fields)
    {
        _stream = stream;
        _writer = writer;
        _fields = fields;
    }

    public static async Task<ParquetFiles> CreateAsync(string path, params DataField[] fields)
    {
        var stream = File.Create(path);
        return new ParquetFiles(stream, await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream), fields);
    }

    /// <summary>Writes one row group; <paramref name="columns"/> holds one array per field, in schema order.</summary>
    public async Task RowGroupAsync(params Array[] columns)
    {
        using var group = _writer.CreateRowGroup();
        var fields = _fields;
        for (var i = 0; i < columns.Length; i++)
        {
            await WriteAsync(group, fields[i], columns[i]);
        }
    }

    private static Task WriteAsync(ParquetRowGroupWriter group, DataField field, Array column) => column switch
    {
        string?[] v => group.WriteAsync(field, v),
        double[] v => group.WriteAsync(field, new ReadOnlyMemory<double>(v)),
        double?[] v => group.WriteAsync(field, new ReadOnlyMemory<double?>(v)),
        long[] v => group.WriteAsync(field, new ReadOnlyMemory<long>(v)),
        long?[] v => group.WriteAsync(field, new ReadOnlyMemory<long?>(v)),
        int[] v => group.WriteAsync(field, new ReadOnlyMemory<int>(v)),
        bool[] v => group.WriteAsync(field, new ReadOnlyMemory<bool>(v)),
        bool?[] v => group.WriteAsync(field, new ReadOnlyMemory<bool?>(v)),
        DateTime[] v => group.WriteAsync(field, new ReadOnlyMemory<DateTime>(v)),
        float[] v => group.WriteAsync(field, new ReadOnlyMemory<float>(v)),
        _ => throw new ArgumentException($"no writer for {column.GetType().Name}"),
    };

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _stream.DisposeAsync();
    }
}
