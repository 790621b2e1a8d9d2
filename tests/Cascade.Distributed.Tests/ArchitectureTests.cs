using System.Xml.Linq;

namespace Cascade.Distributed.Tests;

/// <summary>Services share nothing but contracts: a service project references only contracts and building blocks.</summary>
public sealed class ArchitectureTests
{
    private static readonly string Root = DistributedCascadeTests.RepositoryRoot();

    // The composition roots may reference services: they are where services are put together.
    private static readonly string[] CompositionRoots = ["Host", "Cli"];

    public static TheoryData<string> ServiceProjects()
    {
        var data = new TheoryData<string>();
        foreach (var directory in Directory.GetDirectories(Path.Combine(Root, "services")).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            if (name == "BuildingBlocks" || CompositionRoots.Contains(name)) continue;
            data.Add(name);
        }
        return data;
    }

    [Fact]
    public void Every_service_and_the_console_are_checked() =>
        ServiceProjects().Cast<object[]>().Select(row => (string)row[0]).Should().BeEquivalentTo(["Ingestion", "Features", "Training", "Registry", "Serving", "Monitoring", "Console"]);

    [Theory]
    [MemberData(nameof(ServiceProjects))]
    public void A_service_references_no_other_service(string service)
    {
        var directory = Path.Combine(Root, "services", service);
        var project = Path.Combine(directory, $"Cascade.{service}.csproj");
        var references = XDocument.Load(project).Descendants("ProjectReference")
            .Select(r => Path.GetFullPath(Path.Combine(directory, r.Attribute("Include")!.Value)))
            .ToArray();
        var allowed = new[] { Path.Combine(Root, "contracts") + Path.DirectorySeparatorChar, Path.Combine(Root, "services", "BuildingBlocks") + Path.DirectorySeparatorChar };
        references.Where(r => !allowed.Any(r.StartsWith)).Should().BeEmpty($"{service} may reference only contracts/ and services/BuildingBlocks/");
    }
}
