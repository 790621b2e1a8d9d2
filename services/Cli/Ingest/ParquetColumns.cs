using Parquet;
using Parquet.Schema;

namespace Cascade.Cli.Ingest;

/// <summary>Reads one column of a row group as boxed cells (null where the file has null), whatever its CLR type.</summary>
internal static class ParquetColumns
{
    /// <exception cref="IngestUsageException">The column's type cannot be ingested (binary, intervals).</exception>
    public static Task<object?[]> ReadAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
    {
        var type = field.ClrType;
        // Parquet.Net 6 types UTF-8 columns as ReadOnlyMemory<char> (its zero-copy form); they read as strings too.
        return type == typeof(string) || type == typeof(ReadOnlyMemory<char>) ? ReadStringsAsync(group, field, rows, cancellationToken)
            : type == typeof(double) ? ReadAsync<double>(group, field, rows, cancellationToken)
            : type == typeof(float) ? ReadAsync<float>(group, field, rows, cancellationToken)
            : type == typeof(long) ? ReadAsync<long>(group, field, rows, cancellationToken)
            : type == typeof(int) ? ReadAsync<int>(group, field, rows, cancellationToken)
            : type == typeof(short) ? ReadAsync<short>(group, field, rows, cancellationToken)
            : type == typeof(sbyte) ? ReadAsync<sbyte>(group, field, rows, cancellationToken)
            : type == typeof(byte) ? ReadAsync<byte>(group, field, rows, cancellationToken)
            : type == typeof(ushort) ? ReadAsync<ushort>(group, field, rows, cancellationToken)
            : type == typeof(uint) ? ReadAsync<uint>(group, field, rows, cancellationToken)
            : type == typeof(ulong) ? ReadAsync<ulong>(group, field, rows, cancellationToken)
            : type == typeof(decimal) ? ReadAsync<decimal>(group, field, rows, cancellationToken)
            : type == typeof(bool) ? ReadAsync<bool>(group, field, rows, cancellationToken)
            : type == typeof(DateTime) ? ReadAsync<DateTime>(group, field, rows, cancellationToken)
            : type == typeof(DateTimeOffset) ? ReadAsync<DateTimeOffset>(group, field, rows, cancellationToken)
            : type == typeof(DateOnly) ? ReadAsync<DateOnly>(group, field, rows, cancellationToken)
            : throw new IngestUsageException($"column '{field.Name}' has Parquet type {type.Name}, which cannot be ingested: use a number, string, boolean or timestamp column.");
    }

    private static async Task<object?[]> ReadAsync<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken) where T : struct
    {
        var cells = new object?[rows];
        if (field.IsNullable)
        {
            var values = new T?[rows];
            await group.ReadAsync(field, values.AsMemory(), null, cancellationToken);
            for (var i = 0; i < rows; i++) cells[i] = values[i];
        }
        else
        {
            var values = new T[rows];
            await group.ReadAsync(field, values.AsMemory(), null, cancellationToken);
            for (var i = 0; i < rows; i++) cells[i] = values[i];
        }
        return cells;
    }

    private static async Task<object?[]> ReadStringsAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
    {
        var values = new string?[rows];
        await group.ReadAsync(field, values.AsMemory(), null, cancellationToken);
        return values;
    }
}
