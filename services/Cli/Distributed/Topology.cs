using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Cascade.Cli.Distributed;

/// <summary>One service of <c>tye.yaml</c>: its project, replicas, ports and environment.</summary>
internal sealed record ServiceSpec(string Name, string Project, int Replicas, int GrpcPort, int HttpPort, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The assembly the project builds (by Cascade's convention, the project file's name).</summary>
    public string Assembly => Path.GetFileNameWithoutExtension(Project);
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
