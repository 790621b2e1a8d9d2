using System.Globalization;

namespace Cascade.Cli.Scoring;

/// <summary>Scores as CSV, exactly as <c>cascade predict</c> writes them: a header, then each value as the shortest text that reads back as the same float32.</summary>
internal sealed class CsvScoreWriter : IScoreWriter
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly StreamWriter _writer;
    private readonly int _outputs;
    private bool _completed;

    public CsvScoreWriter(string path, IReadOnlyList<string> columns)
    {
        _path = path;
        _temporary = path + ".partial";
        _outputs = columns.Count;
        _writer = new StreamWriter(_temporary) { NewLine = "\n" };
        _writer.WriteLine(string.Join(',', columns));
    }

    public async Task WriteAsync(ReadOnlyMemory<float> scores, int rows, CancellationToken cancellationToken)
    {
        for (var r = 0; r < rows; r++)
        {
            for (var o = 0; o < _outputs; o++)
            {
                if (o > 0) _writer.Write(',');
                _writer.Write(scores.Span[r * _outputs + o].ToString("R", CultureInfo.InvariantCulture));
            }
            _writer.WriteLine();
        }
        await _writer.FlushAsync(cancellationToken);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await _writer.FlushAsync(cancellationToken);
        await _writer.DisposeAsync();
        File.Move(_temporary, _path, overwrite: true);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        if (!_completed) File.Delete(_temporary);
    }
}
