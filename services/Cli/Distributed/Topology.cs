using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Cascade.Cli.Distributed;

/// <summary>One service of <c>tye.yaml</c>: its project, replicas, ports and environment.</summary>
internal sealed record ServiceSpec(string Name, string Project, int Replicas, int GrpcPort, int HttpPort, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The assembly the project builds (by Cascade's convention, the project file's name).</summary>
    public string Assembly => Path.GetFileNameWithoutExtension(Project);

    /// <summary>The names of its processes: the service's name, or <c>name-0</c>, <c>name-1</c> … when it has replicas.</summary>
    public IEnumerable<string> Instances => Replicas == 1 ? [Name] : Enumerable.Range(0, Replicas).Select(r => $"{Name}-{r}");
}

/// <summary>Reads <c>tye.yaml</c>, the single source of truth of the distributed topology.</summary>
internal static class Topology
{
    private sealed class TyeFile
    {
        public string Name { get; set; } = "";
        public List<TyeService> Services { get; set; } = [];
    }

    private sealed class TyeService
    {
        public string Name { get; set; } = "";
        public string Project { get; set; } = "";
        public int Replicas { get; set; } = 1;
        public List<TyeBinding> Bindings { get; set; } = [];
        public List<TyeVariable> Env { get; set; } = [];
    }

    private sealed class TyeBinding
    {
        public string Name { get; set; } = "";
        public int Port { get; set; }
        public string Protocol { get; set; } = "";
    }

    private sealed class TyeVariable
    {
        public string Name { get; set; } = "";
        public string Value { get; set; } = "";
    }

    /// <summary>
    /// The repository whose <c>tye.yaml</c> describes the processes: <c>CASCADE_REPO_ROOT</c> when set (the <c>cascade</c>
    /// script sets it), else the nearest folder holding a <c>tye.yaml</c> at or above the working directory.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">Neither: the command runs outside the repository.</exception>
    public static string FindRepositoryRoot()
    {
        if (Environment.GetEnvironmentVariable("CASCADE_REPO_ROOT") is { Length: > 0 } root) return root;
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "tye.yaml"))) return directory.FullName;
        }
        throw new DirectoryNotFoundException("Run from the repository (no tye.yaml above the working directory), or set CASCADE_REPO_ROOT.");
    }

    /// <exception cref="InvalidDataException">The file does not describe services Cascade can run, and why.</exception>
    public static IReadOnlyList<ServiceSpec> Load(string path)
    {
        var yaml = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build();
        var file = yaml.Deserialize<TyeFile>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty.");
        var specs = new List<ServiceSpec>();
        foreach (var service in file.Services)
        {
            if (string.IsNullOrEmpty(service.Name) || string.IsNullOrEmpty(service.Project))
            {
                throw new InvalidDataException($"{path}: every service needs a name and a project.");
            }
            int Port(string binding) => service.Bindings.FirstOrDefault(b => b.Name == binding)?.Port
                ?? throw new InvalidDataException($"{path}: service '{service.Name}' has no '{binding}' binding.");
            specs.Add(new ServiceSpec(service.Name, service.Project, Math.Max(1, service.Replicas), Port("grpc"), Port("http"),
                service.Env.ToDictionary(v => v.Name, v => v.Value)));
        }
        return specs;
    }
}
