namespace Cascade.Interop.Tests.Peers;

/// <summary>Folders of the repository the tests run from (found above the test binaries).</summary>
internal static class Repository
{
    /// <summary>The folder that holds <c>Microservices.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary><c>contracts/protos</c>: the protos foreign clients compile or load, as a user of Cascade's API would.</summary>
    public static string Protos => Path.Combine(Root, "contracts", "protos");

    /// <summary><c>tests/Interop.Tests/…</c>.</summary>
    public static string InteropTests(string folder) => Path.Combine(Root, "tests", "Interop.Tests", folder);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Microservices.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Microservices.sln not found above " + AppContext.BaseDirectory);
    }
}
