namespace Cascade.Cli.Tests.Ingest;

/// <summary>A scratch folder for the files a test reads, deleted with the test.</summary>
public sealed class TempFiles : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("cascade-ingest-").FullName;

    /// <summary>Writes <paramref name="content"/> exactly (no newline translation) and returns the path.</summary>
    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
