namespace Cascade.WebConsole.Tests;

/// <summary>The checkout the tests run from (the folder holding Microservices.sln).</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Microservices.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException($"No Microservices.sln above {AppContext.BaseDirectory}.");
    }
}
