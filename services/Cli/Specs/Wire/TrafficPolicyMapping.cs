using Cascade.Cli.Specs.Model;
using Cascade.Contracts.Serving.V1;

namespace Cascade.Cli.Specs.Wire;

/// <summary>Traffic policy specs to Serving's <see cref="SetTrafficPolicyRequest"/>, and back from a served model's status.</summary>
internal static class TrafficPolicyMapping
{
    public static SetTrafficPolicyRequest ToRequest(string model, TrafficPolicySpecification policy, bool validateOnly) => new()
    {
        Model = model, CanaryPercent = policy.CanaryPercent, Shadow = policy.Shadow, ValidateOnly = validateOnly,
    };

    public static SpecObject FromProto(LoadedModel served) => new(served.Model, new TrafficPolicySpecification(served.CanaryPercent, served.Shadow));
}
