using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Cascade.Distributed.Tests;

/// <summary>
/// The deployment files (tye.yaml, deploy/kubernetes, deploy/compose) against the code they configure: no cluster
/// or Docker engine runs here, so what can be checked without one is checked — every setting names an option that
/// exists and its value parses, every service of the topology is deployed, probes reach the health endpoint,
/// requests fit their limits, the GPU pool asks for a GPU, and the services that keep durable state in their data
/// directory keep it on a volume that outlives the pod. Every check covers both workload kinds, Deployments and
/// StatefulSets.
/// </summary>
public sealed class DeploymentManifestTests
{
    private static readonly string Root = DistributedCascadeTests.RepositoryRoot();

    /// <summary>
    /// The services that keep durable state in their data directory (<c>Cascade__DataDirectory</c>), and what it is. In
    /// the distributed configuration everything else is on Kafka, Redis, PostgreSQL or S3 (deploy/kubernetes/01-config.yaml):
    /// the registry's store is PostgreSQL and its artifacts S3, Serving's unpacked artifacts are downloaded again at start,
    /// and a worker-only Training process keeps only scratch. So these four run on Kubernetes as single-replica
    /// StatefulSets whose claim holds the data directory, and on compose with it on a named volume; the others run as
    /// Deployments on an emptyDir. A service that starts keeping durable local state belongs here.
    /// </summary>
    private static readonly Dictionary<string, string> DurableLocalState = new(StringComparer.Ordinal)
    {
        ["ingestion"] = "ingestion.db: the registered datasets and the id of every accepted record (a re-sent record is a duplicate)",
        ["features"] = "features.db: feature views, entity window states and the applied-offsets checkpoint (Kafka keeps the group's offsets)",
        ["training"] = "training.db: policies, jobs, trigger counters and the job outbox",
        ["monitoring"] = "monitoring.db: monitor checkpoints and alerts",
    };

    private static IReadOnlyList<YamlMappingNode> KubernetesObjects() =>
        Directory.GetFiles(Path.Combine(Root, "deploy", "kubernetes"), "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(Yaml.Documents).ToArray();

    private static IEnumerable<YamlMappingNode> OfKind(string kind) => KubernetesObjects().Where(o => Yaml.Text(o, "kind") == kind);

    /// <summary>What runs the pods of a service: Deployments (stateless) and StatefulSets (state in a claim).</summary>
    private static IEnumerable<YamlMappingNode> Workloads() => KubernetesObjects().Where(o => Yaml.Text(o, "kind") is "Deployment" or "StatefulSet");

    private static string Kind(YamlMappingNode o) => Yaml.Text(o, "kind")!;

    private static string Name(YamlMappingNode o) => Yaml.Text(o.Map("metadata"), "name")!;

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode workload) =>
        workload.Map("spec").Map("template").Map("spec").Seq("containers").Cast<YamlMappingNode>();

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
        foreach (var workload in Workloads())
        {
            settings.AddRange(Containers(workload).SelectMany(Env).Where(e => e.Key != "CASCADE_SERVICE").Select(e => ($"{Kind(workload)} {Name(workload)}", e.Key, e.Value)));
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
        var workloads = Workloads().ToDictionary(Name);
        var services = OfKind("Service").ToDictionary(Name);
        var compose = ComposeServices();
        foreach (var (name, _) in TyeServices())
        {
            // The worker pool of tye.yaml is the cpu pool on Kubernetes, beside a gpu pool.
            var workloadName = workloads.ContainsKey(name) ? name : $"{name}-cpu";
            workloads.Should().ContainKey(workloadName, $"tye.yaml runs {name}");
            compose.Children.Should().ContainKey(new YamlScalarNode(name), $"tye.yaml runs {name}");
        }
        foreach (var (name, workload) in workloads)
        {
            var project = Env(Containers(workload).Single())["CASCADE_SERVICE"];
            File.Exists(Path.Combine(Root, "services", project, $"Cascade.{project}.csproj")).Should().BeTrue($"{name} runs the service project {project}");
            if (Yaml.Text(Env(Containers(workload).Single()), "Cascade__Training__Scheduler") == "false") continue; // workers serve no API
            services.Should().ContainKey(name, $"clients reach {name} through a Service");
            var ports = Containers(workload).Single().Seq("ports").Cast<YamlMappingNode>().Select(p => Yaml.Text(p, "name")).ToHashSet();
            services[name].Map("spec").Seq("ports").Cast<YamlMappingNode>().Select(p => Yaml.Text(p, "targetPort")).Should().BeSubsetOf(ports, $"the Service of {name} targets its container's ports");
        }
    }

    [Fact]
    public void Kubernetes_probes_and_scrapes_reach_the_health_and_metrics_endpoints_and_requests_fit_their_limits()
    {
        var httpPort = Yaml.Text(OfKind("ConfigMap").Single(c => Name(c) == "cascade-config").Map("data"), "Cascade__HttpPort");
        Workloads().Should().HaveCountGreaterThan(5, "the files were read");
        foreach (var workload in Workloads())
        {
            var container = Containers(workload).Single();
            var http = container.Seq("ports").Cast<YamlMappingNode>().Single(p => Yaml.Text(p, "name") == "http");
            Yaml.Text(http, "containerPort").Should().Be(httpPort, $"{Name(workload)}'s http port is the one the service listens on");
            var annotations = workload.Map("spec").Map("template").Map("metadata").Map("annotations");
            Yaml.Text(annotations, "prometheus.io/path").Should().Be("/metrics", $"{Name(workload)} is scraped where ServiceHost serves its metrics");
            Yaml.Text(annotations, "prometheus.io/port").Should().Be(httpPort);
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            {
                var get = container.Map(probe).Map("httpGet");
                Yaml.Text(get, "path").Should().Be("/healthz", $"{Name(workload)}'s {probe} asks the endpoint ServiceHost maps");
                Yaml.Text(get, "port").Should().Be("http");
            }
            var resources = container.Map("resources");
            var limits = resources.Map("limits");
            foreach (var (resource, request) in resources.Map("requests").Children.Select(c => (Yaml.Scalar(c.Key), Yaml.Scalar(c.Value))))
            {
                if (Yaml.Text(limits, resource) is not { } limit) continue;
                KubernetesQuantity.Parse(request).Should().BeLessThanOrEqualTo(KubernetesQuantity.Parse(limit), $"Kubernetes refuses {Name(workload)} when its {resource} request ({request}) is above its limit ({limit})");
            }
        }
    }

    [Fact]
    public void Only_the_gpu_pool_asks_for_a_gpu_and_it_runs_on_gpu_nodes()
    {
        foreach (var workload in Workloads())
        {
            var container = Containers(workload).Single();
            var gpus = Yaml.Text(container.Map("resources").Map("limits"), "nvidia.com/gpu");
            var gpuWorker = Yaml.Text(Env(container), "Cascade__Training__GpuWorker") == "true";
            if (!gpuWorker)
            {
                gpus.Should().BeNull($"{Name(workload)} trains on no GPU");
                continue;
            }
            int.Parse(gpus ?? "0", CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(1, "the gpu worker asks for its GPU");
            workload.Map("spec").Map("template").Map("spec").Map("nodeSelector").Children.Should().NotBeEmpty("the gpu pool is scheduled on GPU nodes");
        }
        Workloads().Count(d => Yaml.Text(Env(Containers(d).Single()), "Cascade__Training__GpuWorker") == "true").Should().Be(1);
    }

    [Fact]
    public void Services_with_durable_local_state_run_as_StatefulSets_whose_claim_holds_the_data_directory()
    {
        var workloads = Workloads().ToDictionary(Name);
        foreach (var (name, state) in DurableLocalState)
        {
            workloads.Should().ContainKey(name, $"{name} is deployed");
            Kind(workloads[name]).Should().Be("StatefulSet", $"{name} keeps {state} in its data directory, and a Deployment's pod loses it when it is rescheduled");
        }
        var services = OfKind("Service").ToDictionary(Name);
        var sets = OfKind("StatefulSet").ToArray();
        sets.Should().NotBeEmpty();
        foreach (var set in sets)
        {
            var name = Name(set);
            DurableLocalState.Should().ContainKey(name, $"a StatefulSet is for a service with durable local state: say what {name} keeps in {nameof(DurableLocalState)}");
            var spec = set.Map("spec");
            Yaml.Text(spec, "replicas").Should().Be("1", $"{name}'s SQLite files have one writer, and a second replica would hold state of its own");
            Yaml.Text(spec.Map("updateStrategy"), "type").Should().Be("RollingUpdate", $"a new template of {name} replaces its pod without a manual delete");

            // The governing Service exists and selects the pods: it is also the one clients reach the service through.
            var serviceName = Yaml.Text(spec, "serviceName");
            serviceName.Should().NotBeNull($"a StatefulSet names its governing Service ({name})");
            services.Should().ContainKey(serviceName!, $"{name}'s governing Service must exist");
            var labels = spec.Map("template").Map("metadata").Map("labels").Children.ToDictionary(c => Yaml.Scalar(c.Key), c => Yaml.Scalar(c.Value));
            services[serviceName!].Map("spec").Map("selector").Children.ToDictionary(c => Yaml.Scalar(c.Key), c => Yaml.Scalar(c.Value))
                .Should().BeSubsetOf(labels, $"the Service {serviceName} selects {name}'s pods");

            var container = Containers(set).Single();
            var dataDirectory = DataDirectory(container, $"StatefulSet {name}");
            var claims = spec.Seq("volumeClaimTemplates").Cast<YamlMappingNode>().ToArray();
            claims.Should().NotBeEmpty($"{name} keeps its data directory on a PersistentVolumeClaim");
            var mounts = container.Seq("volumeMounts").Cast<YamlMappingNode>().ToArray();
            var podVolumes = spec.Map("template").Map("spec").Seq("volumes").Cast<YamlMappingNode>().Select(v => Yaml.Text(v, "name")).ToHashSet();
            foreach (var claim in claims)
            {
                var claimName = Yaml.Text(claim.Map("metadata"), "name")!;
                var claimSpec = claim.Map("spec");
                claimSpec.Seq("accessModes").Select(Yaml.Scalar).Should().Equal(["ReadWriteOnce"], $"{name}'s SQLite files are on one node's disk, never on a shared network volume");
                var storage = Yaml.Text(claimSpec.Map("resources").Map("requests"), "storage");
                storage.Should().NotBeNull($"{name}'s claim asks for a size");
                KubernetesQuantity.Parse(storage!).Should().BeGreaterThanOrEqualTo(1L << 30, $"{name}'s claim ({storage}) holds its databases as they grow");
                podVolumes.Should().NotContain(claimName, $"a pod volume named {claimName} would take the place of {name}'s claim");
                mounts.Where(m => Yaml.Text(m, "name") == claimName).Select(m => Yaml.Text(m, "mountPath")).Should()
                    .Equal([dataDirectory], $"{name}'s claim {claimName} is mounted at the data directory Cascade__DataDirectory names, once");
            }
            // Nothing over or inside the data directory is an emptyDir (which would hide the claim or a part of it).
            var emptyDirs = spec.Map("template").Map("spec").Seq("volumes").Cast<YamlMappingNode>()
                .Where(v => v.Children.ContainsKey(new YamlScalarNode("emptyDir"))).Select(v => Yaml.Text(v, "name")).ToHashSet();
            mounts.Where(m => emptyDirs.Contains(Yaml.Text(m, "name")) && Overlaps(Yaml.Text(m, "mountPath")!, dataDirectory))
                .Select(m => Yaml.Text(m, "mountPath")).Should().BeEmpty($"{name}'s data directory is on its claim, not on an emptyDir");
        }
    }

    [Fact]
    public void Stateless_services_run_as_Deployments_with_their_data_directory_on_an_emptyDir()
    {
        var deployments = OfKind("Deployment").ToArray();
        deployments.Should().NotBeEmpty();
        foreach (var workload in deployments)
        {
            var name = Name(workload);
            DurableLocalState.Should().NotContainKey(name, $"{name} keeps durable state in its data directory: a StatefulSet with a claim");
            var container = Containers(workload).Single();
            var dataDirectory = DataDirectory(container, $"Deployment {name}");
            var mount = container.Seq("volumeMounts").Cast<YamlMappingNode>().SingleOrDefault(m => Yaml.Text(m, "mountPath") == dataDirectory);
            mount.Should().NotBeNull($"{name}'s scratch is on a volume, not in the container's writable layer");
            var volume = workload.Map("spec").Map("template").Map("spec").Seq("volumes").Cast<YamlMappingNode>().Single(v => Yaml.Text(v, "name") == Yaml.Text(mount!, "name"));
            volume.Children.Should().ContainKey(new YamlScalarNode("emptyDir"), $"{name} keeps nothing its replicas must find again");
        }
    }

    [Fact]
    public void On_compose_services_with_durable_local_state_keep_their_data_directory_on_a_named_volume()
    {
        var file = Yaml.Documents(Path.Combine(Root, "deploy", "compose", "docker-compose.yml")).Single();
        var declared = file.Map("volumes").Children.Keys.Select(Yaml.Scalar).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, state) in DurableLocalState)
        {
            var service = file.Map("services").Map(name);
            var dataDirectory = Yaml.Text(service.Map("environment"), "Cascade__DataDirectory");
            dataDirectory.Should().NotBeNull($"compose {name} names its data directory").And.StartWith("/", "a relative one would depend on the image's working directory");
            var volumes = service.Seq("volumes").Select(ComposeVolume).ToArray();
            volumes.Should().Contain(v => v.Target == dataDirectory && declared.Contains(v.Source),
                $"compose {name} keeps {state} in {dataDirectory}, which must be a named volume (declared under volumes:) to outlive the container");
        }
    }

    /// <summary>The data directory a container's service uses: Cascade__DataDirectory as the container gets it, absolute.</summary>
    private static string DataDirectory(YamlMappingNode container, string where)
    {
        var dataDirectory = Yaml.Text(EffectiveEnv(container), "Cascade__DataDirectory");
        dataDirectory.Should().NotBeNull($"{where} names its data directory (Cascade__DataDirectory)");
        dataDirectory.Should().StartWith("/", $"{where}'s data directory is absolute: a relative one would depend on the image's working directory");
        return dataDirectory!.TrimEnd('/');
    }

    /// <summary>
    /// The environment Kubernetes gives a container: its envFrom sources in order (a later one wins, with its prefix), then
    /// its env, which wins over them. Values from valueFrom are left empty.
    /// </summary>
    private static Dictionary<string, string> EffectiveEnv(YamlMappingNode container)
    {
        var objects = KubernetesObjects();
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.Seq("envFrom").Cast<YamlMappingNode>())
        {
            var prefix = Yaml.Text(source, "prefix") ?? string.Empty;
            var (kind, reference) = source.Children.ContainsKey(new YamlScalarNode("configMapRef")) ? ("ConfigMap", source.Map("configMapRef")) : ("Secret", source.Map("secretRef"));
            var target = objects.SingleOrDefault(o => Kind(o) == kind && Name(o) == Yaml.Text(reference, "name"));
            target.Should().NotBeNull($"the {kind} {Yaml.Text(reference, "name")} a container takes its environment from is in deploy/kubernetes");
            // A Secret's data is base64; the manifests give theirs as stringData.
            foreach (var section in new[] { "data", "stringData" }.Where(k => target!.Children.ContainsKey(new YamlScalarNode(k))))
            {
                foreach (var (key, value) in target!.Map(section).Children)
                {
                    env[prefix + Yaml.Scalar(key)] = kind == "Secret" && section == "data" ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Yaml.Scalar(value))) : Yaml.Scalar(value);
                }
            }
        }
        foreach (var (key, value) in Env(container)) env[key] = value;
        return env;
    }

    /// <summary>Whether a mount at <paramref name="path"/> covers <paramref name="directory"/> or a part of it.</summary>
    private static bool Overlaps(string path, string directory)
    {
        path = path.TrimEnd('/');
        return path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal) || directory.StartsWith(path + "/", StringComparison.Ordinal) || path.Length == 0;
    }

    /// <summary>A compose volume entry, short (<c>name:/data[:ro]</c>) or long (<c>{ type, source, target }</c>).</summary>
    private static (string Source, string Target) ComposeVolume(YamlNode entry)
    {
        if (entry is YamlMappingNode map) return (Yaml.Text(map, "source") ?? string.Empty, (Yaml.Text(map, "target") ?? string.Empty).TrimEnd('/'));
        var parts = Yaml.Scalar(entry).Split(':');
        return parts.Length >= 2 ? (parts[0], parts[1].TrimEnd('/')) : (string.Empty, parts[0].TrimEnd('/'));
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
