using Cascade.Contracts.Training.V1;
using Grpc.Core;

namespace Cascade.Training.Tests;

/// <summary><c>PutTrainingPolicy</c> with <c>validate_only</c>: the policy that would result, the same refusals, nothing stored.</summary>
public sealed class ValidateOnlyTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-training-validate-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private Cascade.Contracts.Training.V1.Training.TrainingClient Client => new(_host.Channel);

    private static TrainingPolicySpec Policy(int rounds = 20) => new()
    {
        Model = "m", Dataset = "d", FeatureView = "v", Objective = "binary:logistic", Rounds = rounds, HoldoutFraction = 0.2, Parameters = { ["max_depth"] = "3" },
    };

    [Fact]
    public async Task A_dry_run_answers_the_policy_that_would_result_and_stores_nothing()
    {
        var preview = await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy(), ValidateOnly = true });

        preview.Spec.Should().Be(Policy());
        preview.Meta.Version.Should().Be(1);
        var get = async () => await Client.GetTrainingPolicyAsync(new GetTrainingPolicyRequest { Model = "m" });
        (await get.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        (await Client.ListTrainingPoliciesAsync(new ListTrainingPoliciesRequest())).Policies.Should().BeEmpty();

        await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy() });
        (await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy(rounds: 50), ValidateOnly = true })).Meta.Version.Should().Be(2);
        (await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy(), ValidateOnly = true })).Meta.Version.Should().Be(1);
        var stored = await Client.GetTrainingPolicyAsync(new GetTrainingPolicyRequest { Model = "m" });
        stored.Meta.Version.Should().Be(1);
        stored.Spec.Rounds.Should().Be(20);
        (await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy() })).Meta.Version.Should().Be(1, "putting the current spec again is no new version");
    }

    [Fact]
    public async Task A_dry_run_refuses_what_putting_refuses()
    {
        var policy = Policy();
        policy.Parameters["max_dept"] = "3";

        var dryRun = async () => await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = policy, ValidateOnly = true });

        var refused = (await dryRun.Should().ThrowAsync<RpcException>()).Which;
        refused.StatusCode.Should().Be(StatusCode.InvalidArgument);
        refused.Status.Detail.Should().Contain("max_dept");
    }
}
