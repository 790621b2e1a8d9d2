using System.Collections.Concurrent;
using System.Diagnostics;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests.MlNet;

/// <summary>
/// An ML.NET fit reports rounds while it runs (ML.NET's progress tracker, pulled about every 250 ms) and stops within
/// moments of its cancellation token (MLContext.CancelExecution, checked by FastTree between trees and by LightGbm
/// between iterations), as XGBoost's round loop does.
/// </summary>
public sealed class MlNetProgressAndCancellationTests
{
    /// <summary>Far more trees than a test has time for: without a working cancellation the fit runs on for many seconds.</summary>
    private const int Rounds = 20_000;

    [Theory]
    [InlineData(Trainers.MlNetFastTree, "binary:logistic")]
    [InlineData(Trainers.MlNetFastTree, "multi:softprob")]
    [InlineData(Trainers.MlNetLightGbm, "binary:logistic")]
    public void Progress_rises_during_the_fit_and_cancelling_stops_it_within_moments(string trainer, string objective)
    {
        var train = objective == "binary:logistic" ? MlNetTables.Binary(4000, seed: 61) : MlNetTables.ThreeClasses(4000, seed: 61);
        using var cancel = new CancellationTokenSource();
        var reports = new ConcurrentQueue<(int Done, int Planned)>();
        var cancelledAt = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var parameters = new Dictionary<string, string> { ["objective"] = objective, ["nthread"] = "1" };
        if (objective == "multi:softprob") parameters["num_class"] = "3";
        var options = new TrainingOptions
        {
            Trainer = trainer,
            Rounds = Rounds,
            Parameters = parameters,
            Cancellation = cancel.Token,
            OnRound = (done, planned) =>
            {
                reports.Enqueue((done, planned));
                if (reports.Count == 3)
                {
                    cancelledAt = clock.Elapsed;
                    cancel.Cancel();
                }
            },
        };

        var fit = () => Trainers.Train(train, null, options);

        // Whatever else the fit throws is shown whole (type, message, stack, inner): CI once saw an InvalidOperationException here.
        var thrown = Record.Exception(fit);
        thrown.Should().BeOfType<OperationCanceledException>("cancelling stops the fit, and it threw {0} (cancelled: {1}, reports: {2})",
            thrown, cancel.IsCancellationRequested, string.Join(" ", reports));
        var cancelled = (OperationCanceledException)thrown!;
        cancelled.CancellationToken.Should().Be(cancel.Token, cancelled.ToString());
        var stoppedAfter = clock.Elapsed - cancelledAt;
        var seen = reports.ToArray();
        seen.Should().HaveCountGreaterThanOrEqualTo(3, "progress is reported while the fit runs, not only at its end: {0} after {1}", string.Join(" ", seen), stoppedAfter);
        seen.Select(r => r.Planned).Should().AllSatisfy(p => p.Should().Be(Rounds));
        seen.Select(r => r.Done).Should().BeInAscendingOrder().And.OnlyContain(d => d > 0 && d < Rounds, string.Join(" ", seen));
        seen.Select(r => r.Done).Should().OnlyHaveUniqueItems("a report is made only when rounds were added");
        stoppedAfter.Should().BeLessThan(TimeSpan.FromSeconds(5), "the fit checks for cancellation between trees");
    }
}
