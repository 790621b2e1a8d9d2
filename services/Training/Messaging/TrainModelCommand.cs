namespace Cascade.Training.Messaging;

/// <summary>The command a worker pool receives (MassTransit message contract): which job to run.</summary>
/// <param name="JobId">The job, whose spec and policy are in the training store.</param>
public sealed record TrainModelCommand(string JobId);
