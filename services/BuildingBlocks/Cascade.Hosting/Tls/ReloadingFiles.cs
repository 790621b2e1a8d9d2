using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Hosting.Tls;

/// <summary>
/// What some files hold, parsed, and parsed again when their contents change: a certificate renewed by cert-manager,
/// a Kubernetes Secret rotated (its mount swaps a symbolic link), a file copied over by hand.
/// </summary>
/// <remarks>
/// The contents are compared, not modification times: a swapped link keeps the old file's time, and two writes in the
/// same second share one. The comparison runs when the value is asked for (a new TLS connection), at most once per
/// interval, on the asking thread: reading two small files costs microseconds, and a process that takes no
/// connections does no work. Contents that do not parse (a certificate copied before its key) leave the previous
/// value in place; they are logged once and tried again when the files change again.
/// </remarks>
public sealed class ReloadingFiles<T>
    where T : class
{
    private readonly string _name;
    private readonly string[] _paths;
    private readonly Func<string[], T> _parse;
    private readonly long _interval;
    private readonly TimeProvider _time;
    private volatile Loaded _loaded;
    private string[]? _rejected;
    private long _nextCheck;

    /// <summary>Reads and parses the files now.</summary>
    /// <param name="name">The setting that names the files, for the log.</param>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">A file may not be read.</exception>
    /// <exception cref="Exception">Whatever <paramref name="parse"/> throws for the contents.</exception>
    public ReloadingFiles(string name, IReadOnlyList<string> paths, Func<string[], T> parse, TimeSpan interval, TimeProvider? time = null)
    {
        _name = name;
        _paths = paths.ToArray();
        _parse = parse;
        _time = time ?? TimeProvider.System;
        _interval = (long)(interval.TotalSeconds * _time.TimestampFrequency);
        var contents = Read();
        _loaded = new Loaded(parse(contents), contents);
        _nextCheck = _time.GetTimestamp() + _interval;
    }

    /// <summary>Where changes are reported (the host's logger, once it exists).</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>The value of the files as they are now (or were at the last check).</summary>
    public T Current
    {
        get
        {
            CheckForChanges();
            return _loaded.Value;
        }
    }

    private void CheckForChanges()
    {
        var now = _time.GetTimestamp();
        var next = Interlocked.Read(ref _nextCheck);
        // One thread compares; the others go on with what is loaded.
        if (now < next || Interlocked.CompareExchange(ref _nextCheck, now + _interval, next) != next) return;
        string[] contents;
        try
        {
            contents = Read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Mid-rotation a file can be missing for a moment; the next check sees the new one.
            TlsLog.Unreadable(Logger, _name, ex.Message);
            return;
        }
        var loaded = _loaded;
        if (contents.SequenceEqual(loaded.Contents) || (_rejected is { } rejected && contents.SequenceEqual(rejected))) return;
        try
        {
            var value = _parse(contents);
            _loaded = new Loaded(value, contents);
            _rejected = null;
            TlsLog.Reloaded(Logger, _name, value);
        }
        catch (Exception ex)
        {
            _rejected = contents;
            TlsLog.NotReloaded(Logger, _name, ex.Message, loaded.Value);
        }
    }

    private string[] Read() => Array.ConvertAll(_paths, File.ReadAllText);

    private sealed record Loaded(T Value, string[] Contents);
}
