using System.Reflection;
using System.Text.RegularExpressions;
using Cascade.Features.Options;
using Cascade.Host;
using Cascade.Hosting;
using Cascade.Hosting.Grpc;
using Cascade.Ingestion.Options;
using Cascade.Ml.Signing;
using Cascade.Monitoring.Options;
using Cascade.Registry.Options;
using Cascade.Serving.Privacy;
using Cascade.Training.Options;

namespace Cascade.Distributed.Tests;

/// <summary>
/// Every setting that the docs, tye.yaml and the deployment files tell operators to set is read by the code: it
/// names a property of the options its section binds, and a value that cannot be right stops the host with a
/// message naming the key (so a setting nothing binds, or binds without validating, fails here).
/// </summary>
public sealed partial class SettingsAreBoundTests
{
    private static readonly string Root = DistributedCascadeTests.RepositoryRoot();

    // Longest prefix first: each section and the options class bound from it.
    private static readonly (string Section, Type Options)[] Sections =
    [
        ("Cascade:Registry:Gate", typeof(PromotionGateOptions)),
        ("Cascade:Registry:Retention", typeof(RetentionOptions)),
        ("Cascade:Registry:Upload", typeof(ArtifactUploadOptions)),
        ("Cascade:Features:Vocabulary", typeof(VocabularyOptions)),
        ("Cascade:Features:Retention", typeof(OfflineRetentionOptions)),
        ("Cascade:Features:Materialization", typeof(MaterializationOptions)),
        ("Cascade:Ingestion", typeof(IngestionOptions)),
        ("Cascade:Training", typeof(TrainingServiceOptions)),
        ("Cascade:Monitoring", typeof(MonitoringServiceOptions)),
        ("Cascade:Privacy", typeof(PrivacyOptions)),
        ("Cascade:Serving", typeof(Cascade.Serving.Options.ServingEngineOptions)),
        ("Cascade:Console:Pipeline", typeof(Cascade.WebConsole.Options.PipelineFiguresOptions)),
        ("Cascade:Console", typeof(Cascade.WebConsole.Options.ConsoleOptions)),
        ("Cascade:Signing", typeof(ModelSigningOptions)),
        ("Cascade:Auth", typeof(Cascade.Hosting.Security.AuthOptions)),
        ("Grpc:Server", typeof(GrpcServerOptions)),
        ("Cascade", typeof(ServiceHostOptions)),
    ];

    public static TheoryData<string> Settings()
    {
        var files = new[] { Path.Combine(Root, "tye.yaml") }
            .Concat(Directory.GetFiles(Path.Combine(Root, "deploy"), "*.y*ml", SearchOption.AllDirectories))
            .Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md"));
        var keys = files.SelectMany(f => SettingKey().Matches(File.ReadAllText(f)).Select(m => m.Value)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var data = new TheoryData<string>();
        foreach (var key in keys) data.Add(key);
        return data;
    }

    [Fact]
    public void The_files_name_settings_of_every_section() =>
        Settings().Cast<object[]>().Select(row => (string)row[0]).Should().Contain(["Cascade__Ingestion__MaxBatchesInFlight", "Cascade__Training__CpuWorker", "Cascade__GrpcPort", "Grpc__Server__MaxReceiveMessageSize"]);

    [Theory]
    [MemberData(nameof(Settings))]
    public async Task A_documented_setting_is_bound_and_a_wrong_value_stops_the_host_naming_it(string key)
    {
        var path = key.Replace("__", ":", StringComparison.Ordinal);
        var (section, type) = Sections.First(s => path.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase));
        var leaf = Leaf(type, path[(section.Length + 1)..].Split(':'));
        leaf.Should().NotBeNull($"{key} should name a property of {type.Name}");

        if (leaf == typeof(string))
        {
            // Any text is valid: the value must arrive.
            if (type != typeof(ServiceHostOptions)) return; // no string setting of a module section is documented today
            var options = ServiceHost.ReadOptions([$"--{path}=http://bound.example:1"]);
            Read(options, path["Cascade:".Length..].Split(':')).Should().Be("http://bound.example:1", $"{key} is bound");
            return;
        }
        var wrong = $"--{path}=@not-a-{leaf!.Name}@";
        var error = type == typeof(ServiceHostOptions) ? Refusal(() => ServiceHost.ReadOptions([wrong])) : await HostRefusalAsync(wrong);
        error.Should().NotBeNull($"{key}=@not-a-{leaf.Name}@ must stop the host");
        error!.Should().ContainEquivalentOf(path, "the message names the setting");
    }

    [Fact]
    public async Task A_value_out_of_range_is_refused_with_its_key_and_the_rule()
    {
        var error = await HostRefusalAsync("--Cascade:Ingestion:MaxBatchesInFlight=100000");
        error.Should().Contain("Cascade:Ingestion:MaxBatchesInFlight").And.Contain("between");
    }

    private static async Task<string?> HostRefusalAsync(string argument)
    {
        var data = Directory.CreateTempSubdirectory("cascade-settings-").FullName;
        try
        {
            await using var app = AllInOneHost.Build(new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data }, _ => { }, [argument]);
            await app.StartAsync();
            await app.StopAsync();
            return null;
        }
        catch (Exception ex)
        {
            return ex.Message + " " + ex.InnerException?.Message;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static string? Refusal(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex)
        {
            return ex.Message + " " + ex.InnerException?.Message;
        }
    }

    private static Type? Leaf(Type type, IEnumerable<string> path)
    {
        foreach (var name in path)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                type = type.GetGenericArguments()[1];
                continue;
            }
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) && int.TryParse(name, out _))
            {
                type = type.GetGenericArguments()[0]; // an element by its index (Endpoints__0__Url)
                continue;
            }
            var property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite) return null;
            type = property.PropertyType;
        }
        return Nullable.GetUnderlyingType(type) ?? type;
    }

    private static object? Read(object options, IEnumerable<string> path)
    {
        object? value = options;
        foreach (var name in path)
        {
            value = value switch
            {
                IDictionary<string, string> map => map.TryGetValue(name, out var v) ? v : null,
                null => null,
                _ => value.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.GetValue(value),
            };
        }
        return value;
    }

    [GeneratedRegex("(?:Cascade|Grpc)__[A-Za-z0-9_]+")]
    private static partial Regex SettingKey();
}
