using System.Diagnostics;
using System.Globalization;
using Cascade.Ml.Data;
using Cascade.Ml.Native;

namespace Cascade.Ml.Training;

/// <summary>Trains XGBoost models through the C API.</summary>
public static class XGBoostTrainer
{
    /// <summary>Trains on <paramref name="train"/>; <paramref name="validation"/> is needed for early stopping.</summary>
    /// <exception cref="ArgumentException">Invalid parameters, data or device request.</exception>
    /// <exception cref="XGBoostException">XGBoost refused something; its message says what.</exception>
    public static TrainingResult Train(TabularData train, TabularData? validation, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Labels is null) throw new ArgumentException("The training data has no labels.");
        if (train.Rows == 0) throw new ArgumentException("The training data has no rows.");
        if (options.Rounds < 1) throw new ArgumentException($"Rounds must be at least 1 (got {options.Rounds}).");
        if (options.EarlyStoppingRounds is { } patience && (patience < 1 || validation is null))
        {
            throw new ArgumentException("Early stopping needs a positive number of rounds and a validation set (--valid FILE).");
        }
        if (validation is not null && validation.Columns != train.Columns)
        {
            throw new ArgumentException($"The validation data has {validation.Columns} features, the training data {train.Columns}.");
        }

        var parameters = ResolveParameters(options);
        XGBoostParameters.Validate(parameters);
        var objective = parameters["objective"];
        var numClass = objective == "multi:softprob" ? int.Parse(parameters["num_class"], CultureInfo.InvariantCulture) : 1;
        TrainingLabels.Validate(train.Labels, objective, numClass);

        var stopwatch = Stopwatch.StartNew();
        using var trainMatrix = DMatrix.FromTable(train);
        using var validMatrix = validation is null ? null : DMatrix.FromTable(validation);
        var booster = validMatrix is null ? Booster.Create(trainMatrix) : Booster.Create(trainMatrix, validMatrix);
        try
        {
            foreach (var (name, value) in parameters)
            {
                booster.SetParam(name, value);
            }

            var log = new List<string>();
            var bestRound = options.Rounds - 1;
            var bestScore = double.NaN;
            bool? higherIsBetter = null;
            for (var round = 0; round < options.Rounds; round++)
            {
                options.Cancellation.ThrowIfCancellationRequested();
                booster.UpdateOneIteration(round, trainMatrix);
                options.OnRound?.Invoke(round + 1, options.Rounds);
                // Evaluate only when someone reads it: it costs a prediction pass per round.
                if (validMatrix is null || options.EarlyStoppingRounds is null)
                {
                    continue;
                }
                var line = booster.EvaluateOneIteration(round, validMatrix, "valid");
                log.Add(line);
                var (metric, score) = ParseFirstMetric(line);
                higherIsBetter ??= metric.StartsWith("auc", StringComparison.Ordinal) || metric.StartsWith("map", StringComparison.Ordinal) || metric.StartsWith("ndcg", StringComparison.Ordinal);
                if (double.IsNaN(bestScore) || (higherIsBetter.Value ? score > bestScore : score < bestScore))
                {
                    bestScore = score;
                    bestRound = round;
                }
                else if (round - bestRound >= options.EarlyStoppingRounds)
                {
                    break;
                }
            }

            if (options.EarlyStoppingRounds is not null && bestRound + 1 < booster.BoostedRounds())
            {
                // Keep only the rounds up to the best one, so predictions are those of the best iteration.
                var sliced = booster.Slice(bestRound + 1);
                booster.Dispose();
                booster = sliced;
            }
            // Served models predict single-threaded (see TrainedModel.Load).
            booster.SetParam("nthread", "1");
            stopwatch.Stop();
            var model = new TrainedModel(booster, objective, numClass, train.FeatureNames, parameters);
            return new TrainingResult(model, bestRound, log, stopwatch.Elapsed);
        }
        catch
        {
            booster.Dispose();
            throw;
        }
    }

    /// <summary>Cascade's defaults under the user's parameters.</summary>
    internal static Dictionary<string, string> ResolveParameters(TrainingOptions options)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["objective"] = "reg:squarederror",
            ["tree_method"] = "hist",
            ["seed"] = "0",
            ["nthread"] = Math.Max(1, Environment.ProcessorCount - 1).ToString(CultureInfo.InvariantCulture),
            ["validate_parameters"] = "1",
            ["verbosity"] = "1",
        };
        foreach (var (name, value) in options.Parameters)
        {
            parameters[name] = value;
        }
        switch (options.Device)
        {
            case "cpu":
                if (parameters.GetValueOrDefault("tree_method") == "gpu_hist")
                {
                    throw new ArgumentException("tree_method=gpu_hist asks for a GPU: use --device cuda on a machine whose XGBoost has CUDA.");
                }
                break;
            case "cuda":
                if (!XGBoostLibrary.HasCuda)
                {
                    throw new ArgumentException($"A CUDA device was requested, but this libxgboost {XGBoostLibrary.Version} was built without CUDA (Debian's build is CPU-only). Train with --device cpu, or on a worker whose XGBoost has CUDA.");
                }
                // XGBoost 1.7 selects the GPU through the tree method; 2.x through device=cuda.
                if (XGBoostLibrary.Version.Major >= 2)
                {
                    parameters["device"] = "cuda";
                }
                else
                {
                    parameters["tree_method"] = "gpu_hist";
                    parameters["gpu_id"] = "0";
                }
                break;
            default:
                throw new ArgumentException($"Unknown device '{options.Device}': use cpu or cuda.");
        }
        return parameters;
    }

    private static (string Metric, double Score) ParseFirstMetric(string line)
    {
        // "[12]\tvalid-logloss:0.4123" → ("logloss", 0.4123)
        var part = line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        var colon = part.LastIndexOf(':');
        var name = part[..colon];
        return (name[(name.IndexOf('-') + 1)..], double.Parse(part[(colon + 1)..], CultureInfo.InvariantCulture));
    }
}

/// <summary>A trained model, the round kept, XGBoost's evaluation log and the training time.</summary>
public sealed record TrainingResult(TrainedModel Model, int BestRound, IReadOnlyList<string> EvaluationLog, TimeSpan Duration);
