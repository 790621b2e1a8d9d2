namespace Cascade.Cli.Specs.Model;

/// <summary>How much of a served model's traffic (the object's name) its challenger sees.</summary>
internal sealed record TrafficPolicySpecification(double CanaryPercent = 0, bool Shadow = false) : SpecBody
{
    public override SpecKind Kind => SpecKind.TrafficPolicy;
}
