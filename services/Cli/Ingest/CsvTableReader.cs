using System.Runtime.CompilerServices;
using System.Text;

namespace Cascade.Cli.Ingest;

/// <summary>
/// A streaming RFC 4180 reader: a header row, fields separated by commas, fields in double quotes may hold commas,
/// line breaks and doubled quotes (<c>""</c>); lines end in LF or CRLF; blank lines are skipped. It holds one row at a
/// time. Hand-written rather than CsvHelper because every report must name the physical line a row starts on
/// (a quoted field can span lines), and a malformed row must become one report, not the end of the file.
/// </summary>
internal sealed class CsvTableReader : ITableReader
{
    private readonly string _path;
    private readonly FileStream _stream;
    private readonly StreamReader _reader;
    private readonly char[] _buffer = new char[64 * 1024];
    private readonly StringBuilder _field = new();
    private int _position;
    private int _length;
    private long _line = 1; // the physical line of the next character
    private string[] _columns = [];

    private CsvTableReader(string path)
    {
        _path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        // UTF-8 unless a byte order mark says otherwise; the mark is not part of the first column's name.
        _reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
    }

    public IReadOnlyList<string> Columns => _columns;

    public string ProgressUnit => "bytes";

    /// <summary>Bytes the reader has taken from the file (ahead of the parser by at most its buffer).</summary>
    public long Position => _stream.Position;

    public long Length => _stream.Length;

    /// <exception cref="IngestUsageException">The file is empty or its header is malformed.</exception>
    public static async Task<CsvTableReader> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var reader = new CsvTableReader(path);
        try
        {
            var header = await reader.NextRowAsync(cancellationToken)
                ?? throw new IngestUsageException($"{path}: the file is empty; its first line must be a header naming the columns.");
            if (header.Problem is not null)
            {
                throw new IngestUsageException($"{path}:{header.Line}: the header is malformed: {header.Problem}.");
            }
            reader._columns = [.. TableReaders.CheckHeader(path, header.Cells.Select(c => ((string)c!).Trim()).ToArray())];
            return reader;
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    public async IAsyncEnumerable<SourceRow> ReadAsync(IReadOnlyCollection<int> columns, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await NextRowAsync(cancellationToken) is { } row)
        {
            if (row.Problem is null && row.Cells.Length != _columns.Length)
            {
                yield return row with { Problem = $"the row has {row.Cells.Length} fields, the header has {_columns.Length}" };
                continue;
            }
            yield return row;
        }
    }

    /// <summary>The next row, or null at the end of the file.</summary>
    private async ValueTask<SourceRow?> NextRowAsync(CancellationToken cancellationToken)
    {
        int c;
        while ((c = await PeekAsync(cancellationToken)) is '\n' or '\r')
        {
            await ReadAsync(cancellationToken); // blank line (a CR of CRLF, then its LF)
        }
        if (c < 0) return null;

        var start = _line;
        var fields = new List<string>();
        while (true)
        {
            _field.Clear();
            if (await PeekAsync(cancellationToken) == '"')
            {
                var opened = _line;
                await ReadAsync(cancellationToken);
                while (true)
                {
                    c = await ReadAsync(cancellationToken);
                    if (c < 0) return new SourceRow(start, [], $"the quoted field opened on line {opened} is never closed (the rest of the file was read into it)");
                    if (c == '"')
                    {
                        if (await PeekAsync(cancellationToken) != '"') break;
                        await ReadAsync(cancellationToken);
                    }
                    _field.Append((char)c);
                }
                c = await ReadAsync(cancellationToken);
                if (c == '\r' && await PeekAsync(cancellationToken) == '\n') c = await ReadAsync(cancellationToken);
                if (c is not (',' or '\n' or -1))
                {
                    var column = fields.Count + 1;
                    while (c is not ('\n' or -1)) c = await ReadAsync(cancellationToken); // the rest of the row is lost
                    return new SourceRow(start, [], $"field {column}: a quoted field must end at its closing quote (write a quote inside it as \"\")");
                }
            }
            else
            {
                while (true)
                {
                    c = await ReadAsync(cancellationToken);
                    if (c == '\r' && await PeekAsync(cancellationToken) == '\n') c = await ReadAsync(cancellationToken);
                    if (c is ',' or '\n' or -1) break;
                    _field.Append((char)c);
                }
            }
            fields.Add(_field.ToString());
            if (c != ',') return new SourceRow(start, [.. fields]);
        }
    }

    private async ValueTask<int> PeekAsync(CancellationToken cancellationToken)
    {
        if (_position == _length)
        {
            _length = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken);
            _position = 0;
            if (_length == 0) return -1;
        }
        return _buffer[_position];
    }

    private async ValueTask<int> ReadAsync(CancellationToken cancellationToken)
    {
        var c = await PeekAsync(cancellationToken);
        if (c >= 0)
        {
            _position++;
            if (c == '\n') _line++;
        }
        return c;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => _path;
}
