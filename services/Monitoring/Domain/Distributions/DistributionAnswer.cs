namespace Cascade.Monitoring.Domain.Distributions;

/// <summary>A <see cref="WindowDistribution"/>, or the <see cref="DistributionProblem"/> that prevents it and a message saying why.</summary>
public sealed record DistributionAnswer(WindowDistribution? Distribution, DistributionProblem Problem, string Message)
{
    public static DistributionAnswer Of(WindowDistribution distribution) => new(distribution, DistributionProblem.None, "");

    public static DistributionAnswer Refused(DistributionProblem problem, string message) => new(null, problem, message);
}
