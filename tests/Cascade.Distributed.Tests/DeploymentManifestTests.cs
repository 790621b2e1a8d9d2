using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Cascade.Distributed.Tests;

/// <summary>
/// The deployment files (tye.yaml, deploy/kubernetes, deploy/compose) against the code they configure: no cluster
/// or Docker engine runs here, so what can be checked without one is checked — every setting names an option that
/// exists and its value parses, every service of the topology is deployed, probes reach the health endpoint,
/// requests fit their limits, and the GPU pool asks for a GPU.
/// </summary>
public sealed class DeploymentManifestTests
{
    private static readonly string Root = DistributedCascadeTests.RepositoryRoot();

    private static IReadOnlyList<YamlMappingNode> KubernetesObjects() =>
        Directory.GetFiles(Path.Combine(Root, "deploy", "kubernetes"), "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(Yaml.Documents).ToArray();

    private static IEnumerable<YamlMappingNode> OfKind(string kind) => KubernetesObjects().Where(o => Yaml.Text(o, "kind") == kind);

    private static string Name(YamlMappingNode o) => Yaml.Text(o.Map("metadata"), "name")!;

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode deployment) =>
        deployment.Map("spec").Map("template").Map("spec").Seq("containers").Cast<YamlMappingNode>();

    private static Dictionary<string, string> Env(YamlMappingNode container) =>
        container.Seq("env").Cast<YamlMappingNode>().ToDictionary(e => Yaml.Text(e, "name")!, e => Yaml.Text(e, "value") ?? string.Empty);

    private static YamlMappingNode ComposeServices() => Yaml.Documents(Path.Combine(Root, "deploy", "compose", "docker-compose.yml")).Single().Map("services");

    private static IEnumerable<(string Service, Dictionary<string, string> Env)> TyeServices() =>
        Yaml.Documents(Path.Combine(Root, "tye.yaml")).Single().Seq("services").Cast<YamlMappingNode>().Select(s =>
            (Yaml.Text(s, "name")!, s.Seq("env").Cast<YamlMappingNode>().ToDictionary(e => Yaml.Text(e, "name")!, e => Yaml.Text(e, "value") ?? string.Empty)));

    [Fact]
    public void Every_setting_names_an_option_that_exists_and_gives_it_a_value_it_can_take()
    {
        var settings = new List<(string Where, string Key, string Value)>();
        foreach (var (service, env) in TyeServices()) settings.AddRange(env.Select(e => ($"tye.yaml {service}", e.Key, e.Value)));
        foreach (var config in OfKind("ConfigMap")) settings.AddRange(config.Map("data").Children.Select(e => ($"ConfigMap {Name(config)}", Yaml.Scalar(e.Key), Yaml.Scalar(e.Value))));
        foreach (var secret in OfKind("Secret")) settings.AddRange(secret.Map("stringData").Children.Select(e => ($"Secret {Name(secret)}", Yaml.Scalar(e.Key), Yaml.Scalar(e.Value))));
        foreach (var deployment in OfKind("Deployment"))
        {
            settings.AddRange(Containers(deployment).SelectMany(Env).Where(e => e.Key != "CASCADE_SERVICE").Select(e => ($"Deployment {Name(deployment)}", e.Key, e.Value)));
        }
        // The compose services built from Cascade's image; the others are the servers, with settings of their own.
        foreach (var service in ComposeServices().Children.Where(s => ((YamlMappingNode)s.Value).Children.ContainsKey("build")))
        {
            settings.AddRange(((YamlMappingNode)service.Value).Map("environment").Children.Select(e => ($"compose {Yaml.Scalar(service.Key)}", Yaml.Scalar(e.Key), Yaml.Scalar(e.Value))));
        }

        settings.Should().HaveCountGreaterThan(100, "the files were read");
        var problems = settings.Select(s => (s.Where, s.Key, Problem: OptionPaths.Check(s.Key, s.Value))).Where(s => s.Problem is not null)
            .Select(s => $"{s.Where}: {s.Key}: {s.Problem}");
        problems.Should().BeEmpty();
    }

    [Fact]
    public void Every_service_of_the_topology_is_deployed_on_kubernetes_and_compose_as_the_same_service()
    {
        var deployments = OfKind("Deployment").ToDictionary(Name);
        var services = OfKind("Service").ToDictionary(Name);
        var compose = ComposeServices();
        foreach (var (name, _) in TyeServices())
        {
            // The worker pool of tye.yaml is the cpu pool on Kubernetes, beside a gpu pool.
            var deploymentName = deployments.ContainsKey(name) ? name : $"{name}-cpu";
            deployments.Should().ContainKey(deploymentName, $"tye.yaml runs {name}");
            compose.Children.Should().ContainKey(new YamlScalarNode(name), $"tye.yaml runs {name}");
        }
        foreach (var (name, deployment) in deployments)
        {
            var project = Env(Containers(deployment).Single())["CASCADE_SERVICE"];
            File.Exists(Path.Combine(Root, "services", project, $"Cascade.{project}.csproj")).Should().BeTrue($"{name} runs the service project {project}");
            if (Yaml.Text(Env(Containers(deployment).Single()), "Cascade__Training__Scheduler") == "false") continue; // workers serve no API
            services.Should().ContainKey(name, $"clients reach {name} through a Service");
            var ports = Containers(deployment).Single().Seq("ports").Cast<YamlMappingNode>().Select(p => Yaml.Text(p, "name")).ToHashSet();
            services[name].Map("spec").Seq("ports").Cast<YamlMappingNode>().Select(p => Yaml.Text(p, "targetPort")).Should().BeSubsetOf(ports, $"the Service of {name} targets its container's ports");
        }
    }

    [Fact]
    public void Kubernetes_probes_and_scrapes_reach_the_health_and_metrics_endpoints_and_requests_fit_their_limits()
    {
        var httpPort = Yaml.Text(OfKind("ConfigMap").Single(c => Name(c) == "cascade-config").Map("data"), "Cascade__HttpPort");
        foreach (var deployment in OfKind("Deployment"))
        {
            var container = Containers(deployment).Single();
            var http = container.Seq("ports").Cast<YamlMappingNode>().Single(p => Yaml.Text(p, "name") == "http");
            Yaml.Text(http, "containerPort").Should().Be(httpPort, $"{Name(deployment)}'s http port is the one the service listens on");
            var annotations = deployment.Map("spec").Map("template").Map("metadata").Map("annotations");
            Yaml.Text(annotations, "prometheus.io/path").Should().Be("/metrics", $"{Name(deployment)} is scraped where ServiceHost serves its metrics");
            Yaml.Text(annotations, "prometheus.io/port").Should().Be(httpPort);
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            {
                var get = container.Map(probe).Map("httpGet");
                Yaml.Text(get, "path").Should().Be("/healthz", $"{Name(deployment)}'s {probe} asks the endpoint ServiceHost maps");
                Yaml.Text(get, "port").Should().Be("http");
            }
            var resources = container.Map("resources");
            var limits = resources.Map("limits");
            foreach (var (resource, request) in resources.Map("requests").Children.Select(c => (Yaml.Scalar(c.Key), Yaml.Scalar(c.Value))))
            {
                if (Yaml.Text(limits, resource) is not { } limit) continue;
                KubernetesQuantity.Parse(request).Should().BeLessThanOrEqualTo(KubernetesQuantity.Parse(limit), $"Kubernetes refuses {Name(deployment)} when its {resource} request ({request}) is above its limit ({limit})");
            }
        }
    }

    [Fact]
    public void Only_the_gpu_pool_asks_for_a_gpu_and_it_runs_on_gpu_nodes()
    {
        foreach (var deployment in OfKind("Deployment"))
        {
            var container = Containers(deployment).Single();
            var gpus = Yaml.Text(container.Map("resources").Map("limits"), "nvidia.com/gpu");
            var gpuWorker = Yaml.Text(Env(container), "Cascade__Training__GpuWorker") == "true";
            if (!gpuWorker)
            {
                gpus.Should().BeNull($"{Name(deployment)} trains on no GPU");
                continue;
            }
            int.Parse(gpus ?? "0", CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(1, "the gpu worker asks for its GPU");
            deployment.Map("spec").Map("template").Map("spec").Map("nodeSelector").Children.Should().NotBeEmpty("the gpu pool is scheduled on GPU nodes");
        }
        OfKind("Deployment").Count(d => Yaml.Text(Env(Containers(d).Single()), "Cascade__Training__GpuWorker") == "true").Should().Be(1);
    }

    [Fact]
    public void The_compose_health_check_uses_a_tool_the_image_installs()
    {
        var check = ComposeServices().Children.Values.Cast<YamlMappingNode>()
            .Select(s => s.Children.TryGetValue(new YamlScalarNode("healthcheck"), out var h) ? (YamlMappingNode)h : null).First(h => h is not null)!;
        var command = ((YamlSequenceNode)check.Children[new YamlScalarNode("test")]).Children.Select(Yaml.Scalar).ToArray();
        command[0].Should().Be("CMD-SHELL");
        var tool = command[1].Split(' ')[0];
        command[1].Should().Contain("/healthz");
        var install = File.ReadAllLines(Path.Combine(Root, "deploy", "docker", "Dockerfile")).Single(l => l.Contains("apt-get install", StringComparison.Ordinal));
        install.Split(' ').Should().Contain(tool, "the runtime image has no curl or wget of its own");
    }
}
