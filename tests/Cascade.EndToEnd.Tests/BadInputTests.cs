using Cascade.Features.Grpc;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Training.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.EndToEnd.Tests;

/// <summary>Bad input to the Features and Training APIs: the right status code and a message that says what to fix.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-bad-input-").FullName;
    private InProcessHost _host = null!;

    private GrpcChannel Channel => _host.Channel;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data);

    private async Task<RpcException> Refused<T>(Func<Task<T>> call)
    {
        var act = async () => await call();
        return (await act.Should().ThrowAsync<RpcException>()).Which;
    }

    [Fact]
    public async Task Feature_views_without_features_or_with_a_windowless_aggregate_are_refused()
    {
        var empty = await Refused(() => new Cascade.Contracts.Features.V1.Features.FeaturesClient(Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = "v", Dataset = "d" } }).ResponseAsync);
        empty.StatusCode.Should().Be(StatusCode.InvalidArgument);
        empty.Status.Detail.Should().Contain("has no features");

        var windowless = new FeatureViewSpec { Name = "v", Dataset = "d", Aggregations = { new Aggregation { Column = "x", Function = AggregationFunction.Mean } } };
        var noWindow = await Refused(() => new Cascade.Contracts.Features.V1.Features.FeaturesClient(Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = windowless }).ResponseAsync);
        noWindow.StatusCode.Should().Be(StatusCode.InvalidArgument);
        noWindow.Status.Detail.Should().Contain("needs a positive window");
    }

    [Fact]
    public async Task Online_lookups_of_an_unknown_view_or_of_too_many_entities_are_refused()
    {
        var unknown = await Refused(() => new Cascade.Contracts.Features.V1.Features.FeaturesClient(Channel).GetOnlineFeaturesAsync(new GetOnlineFeaturesRequest { FeatureView = "nope", EntityIds = { "e" } }).ResponseAsync);
        unknown.StatusCode.Should().Be(StatusCode.NotFound);
        unknown.Status.Detail.Should().Contain("apply it with ApplyFeatureView");

        await new Cascade.Contracts.Features.V1.Features.FeaturesClient(Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = "v", Dataset = "d", Passthrough = { "x" } } });
        var none = await Refused(() => new Cascade.Contracts.Features.V1.Features.FeaturesClient(Channel).GetOnlineFeaturesAsync(new GetOnlineFeaturesRequest { FeatureView = "v" }).ResponseAsync);
        none.StatusCode.Should().Be(StatusCode.InvalidArgument);
        var tooMany = new GetOnlineFeaturesRequest { FeatureView = "v" };
        tooMany.EntityIds.Add(Enumerable.Range(0, FeaturesGrpcService.MaxEntitiesPerLookup + 1).Select(i => $"e{i}"));
        (await Refused(() => new Cascade.Contracts.Features.V1.Features.FeaturesClient(Channel).GetOnlineFeaturesAsync(tooMany).ResponseAsync)).Status.Detail.Should().Contain("Ask for 1 to 1000 entity ids");
    }

    [Theory]
    [InlineData("binary:hinge", 0, "objective 'binary:hinge' is not supported")]
    [InlineData("multi:softprob", 0, "num_class")]
    public async Task Training_policies_with_an_unsupported_objective_or_missing_num_class_are_refused(string objective, int numClass, string expected)
    {
        var spec = new TrainingPolicySpec { Model = "m", Dataset = "d", FeatureView = "v", Objective = objective, NumClass = numClass, HoldoutFraction = 0.2, ValidationFraction = 0.1 };
        var error = await Refused(() => new Cascade.Contracts.Training.V1.Training.TrainingClient(Channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = spec }).ResponseAsync);
        error.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Status.Detail.Should().Contain(expected);
    }

    [Fact]
    public async Task Unknown_parameters_holdouts_out_of_range_and_unknown_models_or_jobs_are_refused()
    {
        var spec = new TrainingPolicySpec { Model = "m", Dataset = "d", FeatureView = "v", Objective = "binary:logistic", HoldoutFraction = 0.2, ValidationFraction = 0.1, Parameters = { ["max_dept"] = "4" } };
        (await Refused(() => new Cascade.Contracts.Training.V1.Training.TrainingClient(Channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = spec }).ResponseAsync)).Status.Detail.Should().Contain("max_dept");
        spec.Parameters.Clear();
        spec.HoldoutFraction = 0;
        (await Refused(() => new Cascade.Contracts.Training.V1.Training.TrainingClient(Channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = spec }).ResponseAsync)).Status.Detail.Should().Contain("holdout_fraction must be positive");

        (await Refused(() => new Cascade.Contracts.Training.V1.Training.TrainingClient(Channel).TriggerTrainingAsync(new TriggerTrainingRequest { Model = "nobody" }).ResponseAsync)).StatusCode.Should().Be(StatusCode.NotFound);
        (await Refused(() => new Cascade.Contracts.Training.V1.Training.TrainingClient(Channel).GetJobAsync(new GetJobRequest { Id = "job-none" }).ResponseAsync)).StatusCode.Should().Be(StatusCode.NotFound);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
