using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cascade.Cli.Demo;
using Cascade.Contracts.Events;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Training.V1;
using Cascade.EventLog.Abstractions;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Cli.Tests;

/// <summary>
/// <c>cascade apply</c> and <c>cascade get</c>, run as the real command line against an all-in-one host on free ports:
/// the demo spec is created then unchanged, an incompatible change is refused and changes nothing, a dry run creates
/// nothing, and what <c>get -o yaml</c> prints applies back as unchanged.
/// </summary>
public sealed class ApplyAndGetTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-cli-apply-").FullName;
    private InProcessHost _host = null!;

    private static string DemoFile => RepositoryFiles.Path(DemoSpec.SourcePath);

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(Path.Combine(_data, "host"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private Task<CascadeProcess.Result> Cascade(params string[] args) => CascadeProcess.RunAsync([.. args, "--address", _host.Grpc]);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_data, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient Ingestion => new(_host.Channel);

    private Cascade.Contracts.Features.V1.Features.FeaturesClient Features => new(_host.Channel);

    private Cascade.Contracts.Training.V1.Training.TrainingClient Training => new(_host.Channel);

    private static int Rows(CascadeProcess.Result result, string action) => Regex.Matches(result.Output, $@"│\s*{action}\s*│").Count;

    [Fact]
    public async Task The_demo_spec_is_created_and_a_second_apply_changes_nothing()
    {
        var first = await Cascade("apply", "-f", DemoFile);

        first.ExitCode.Should().Be(0, first.ToString());
        Rows(first, "create").Should().Be(3, first.ToString());
        first.Output.Should().Contain("Dataset/demo-sensors created (schema v1)").And.Contain("FeatureView/demo-sensors-features created (v1: 10 features)")
            .And.Contain("TrainingPolicy/demo-model created (policy v1)").And.Contain("applied: 3 created, 0 updated, 0 unchanged.");

        var second = await Cascade("apply", "-f", DemoFile);

        second.ExitCode.Should().Be(0, second.ToString());
        Rows(second, "unchanged").Should().Be(3, second.ToString());
        second.Output.Should().Contain("applied: 0 created, 0 updated, 3 unchanged.");
        (await Ingestion.GetDatasetAsync(new GetDatasetRequest { Name = DemoDataset.Name })).Meta.SchemaVersion.Should().Be(1, "an identical spec makes no new schema version");
        (await Features.GetFeatureViewAsync(new GetFeatureViewRequest { Name = DemoDataset.FeatureView })).Meta.Version.Should().Be(1);
        (await Training.GetTrainingPolicyAsync(new GetTrainingPolicyRequest { Model = DemoDataset.Model })).Meta.Version.Should().Be(1);
    }

    [Fact]
    public async Task An_incompatible_change_is_refused_with_its_reason_and_nothing_is_applied()
    {
        (await Cascade("apply", "-f", DemoFile)).ExitCode.Should().Be(0);
        // x3 changes type (incompatible) and the view's windows change (compatible): the refusal stops both.
        var x3 = new Regex(@"\{name: x3, type: float64");
        var changed = Write("changed.yaml", x3.Replace(File.ReadAllText(DemoFile), "{name: x3, type: int64", 1).Replace("window: 1m", "window: 2m"));

        var result = await Cascade("apply", "-f", changed);

        result.ExitCode.Should().NotBe(0, result.ToString());
        Rows(result, "refused").Should().Be(1, result.ToString());
        Rows(result, "update").Should().Be(1, result.ToString());
        result.Output.Should().Contain("FailedPrecondition").And.Contain("column 'x3' changes type from Float64 to Int64").And.Contain("nothing applied");
        var dataset = await Ingestion.GetDatasetAsync(new GetDatasetRequest { Name = DemoDataset.Name });
        dataset.Meta.SchemaVersion.Should().Be(1);
        dataset.Spec.Columns.Single(c => c.Name == "x3").Type.Should().Be(ValueType.Float64);
        var view = await Features.GetFeatureViewAsync(new GetFeatureViewRequest { Name = DemoDataset.FeatureView });
        view.Meta.Version.Should().Be(1);
        view.Spec.Aggregations.Should().OnlyContain(a => a.Window.ToTimeSpan() == TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_dry_run_plans_new_and_changed_objects_and_creates_nothing()
    {
        (await Cascade("apply", "-f", DemoFile)).ExitCode.Should().Be(0);
        var fresh = Write("fresh.yaml", """
            apiVersion: cascade/v1
            kind: Dataset
            metadata: {name: fresh}
            spec: {entity_column: id, event_time_column: time, columns: [{name: v, type: float64}]}
            ---
            apiVersion: cascade/v1
            kind: FeatureView
            metadata: {name: fresh-view}
            spec: {dataset: fresh, passthrough: [v]}
            ---
            apiVersion: cascade/v1
            kind: FeatureView
            metadata: {name: demo-sensors-features}
            spec: {dataset: demo-sensors, passthrough: [x0, x1]}
            """);

        var result = await Cascade("apply", "-f", fresh, "--dry-run");

        result.ExitCode.Should().Be(0, result.ToString());
        Rows(result, "create").Should().Be(2, result.ToString());
        Rows(result, "update").Should().Be(1, result.ToString());
        result.Output.Should().Contain("passthrough: [x0, x1, x2, x3, x4, x5, x6, x7] → [x0, x1]").And.Contain("aggregations[0]: removed")
            .And.Contain("dry run: nothing applied");
        var missing = async () => await Ingestion.GetDatasetAsync(new GetDatasetRequest { Name = "fresh" });
        (await missing.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        var missingView = async () => await Features.GetFeatureViewAsync(new GetFeatureViewRequest { Name = "fresh-view" });
        (await missingView.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        (await _host.Host.Services.GetRequiredService<IEventLog>().GetEndOffsetsAsync(Topics.Data("fresh"))).Should().BeEmpty("a dry run creates no topic");
        (await Features.GetFeatureViewAsync(new GetFeatureViewRequest { Name = DemoDataset.FeatureView })).Meta.Version.Should().Be(1);
    }

    [Fact]
    public async Task What_get_prints_as_yaml_applies_back_unchanged()
    {
        (await Cascade("apply", "-f", DemoFile)).ExitCode.Should().Be(0);
        var more = Write("more.yaml", """
            apiVersion: cascade/v1
            kind: Dataset
            metadata: {name: customers}
            spec:
              entity_column: customer_id
              event_time_column: seen_at
              label_column: churned
              non_finite: as_missing
              partitions: 2
              columns:
                - {name: email, type: string, sensitive: true}
                - {name: spend, type: float64, required: true}
                - {name: visits, type: int64}
            ---
            apiVersion: cascade/v1
            kind: FeatureView
            metadata: {name: customers-view}
            spec:
              dataset: customers
              passthrough: [spend]
              aggregations:
                - {column: visits, function: sum, window: 30d, name: visits_30d}
                - {column: spend, function: last}
              ttl: 90d
            ---
            apiVersion: cascade/v1
            kind: TrainingPolicy
            metadata: {name: churn}
            spec:
              dataset: customers
              feature_view: customers-view
              objective: binary:logistic
              parameters: {max_depth: 3}
              rounds: 20
              early_stopping_rounds: 5
              validation_fraction: 0.1
              holdout_fraction: 0.2
              resources: {accelerator: cpu, cpu_cores: 1}
              triggers: {every_new_labeled_rows: 1000, schedule: 6h, cooldown: 30m}
            """);
        var created = await Cascade("apply", "-f", more);
        created.ExitCode.Should().Be(0, created.ToString());
        (await Ingestion.GetDatasetAsync(new GetDatasetRequest { Name = "customers" })).Spec.Columns.Single(c => c.Name == "email").Sensitive.Should().BeTrue("Ingestion stores and returns the flag");

        foreach (var resource in new[] { "datasets", "views", "policies" })
        {
            var got = await Cascade("get", resource, "-o", "yaml");
            got.ExitCode.Should().Be(0, got.ToString());
            Write(Path.Combine("got", $"{resource}.yaml"), got.Output);
        }
        File.ReadAllText(Path.Combine(_data, "got", "datasets.yaml")).Should().Contain("sensitive: true");

        var again = await Cascade("apply", "-f", Path.Combine(_data, "got"));

        again.ExitCode.Should().Be(0, again.ToString());
        Rows(again, "unchanged").Should().Be(6, again.ToString());
        again.Output.Should().Contain("applied: 0 created, 0 updated, 6 unchanged.");

        var json = await Cascade("get", "views", "customers-view", "-o", "json");
        json.ExitCode.Should().Be(0, json.ToString());
        var view = JsonNode.Parse(json.Output)!.AsArray().Should().ContainSingle().Subject!;
        view["kind"]!.GetValue<string>().Should().Be("FeatureView");
        view["spec"]!["ttl"]!.GetValue<string>().Should().Be("90d");
        var table = await Cascade("get", "datasets");
        table.Output.Should().Contain("customers").And.Contain("email");
        (await Cascade("get", "models")).Output.Should().Contain("The host holds no models.");
        var none = await Cascade("get", "datasets", "nothing-here");
        none.ExitCode.Should().Be(1);
        none.Error.Should().Contain("the host holds no datasets named 'nothing-here'");
    }

    [Fact]
    public async Task Unreadable_files_and_an_unreachable_host_fail_with_a_message_and_a_non_zero_exit()
    {
        var bad = Write("bad.yaml", "apiVersion: cascade/v1\nkind: Dataset\nmetadata: {name: d}\nspec: {entity_colum: e}\n");

        var unreadable = await Cascade("apply", "-f", bad);

        unreadable.ExitCode.Should().Be(2);
        unreadable.Error.Should().Contain($"{bad}:4:8: unknown field 'entity_colum' in spec (did you mean 'entity_column'?)").And.Contain("nothing applied");

        var unreachable = await CascadeProcess.RunAsync("apply", "-f", DemoFile, "--grpc", "http://127.0.0.1:1");

        unreachable.ExitCode.Should().Be(1, unreachable.ToString());
        unreachable.Error.Should().Contain("Unavailable");
    }
}
