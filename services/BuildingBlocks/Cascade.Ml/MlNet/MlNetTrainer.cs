using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Training;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Cascade.Ml.MlNet;

/// <summary>
/// Trains with ML.NET (FastTree, or LightGbm through LightGBM's native library, both shipped in their packages) and converts the trained
/// ensemble into the gbtree model Cascade serves, checked against ML.NET's own predictions before it is returned: the
/// rest of Cascade (artifacts, golden samples, serving, monitoring, exports) sees an ordinary tree model.
/// </summary>
public static class MlNetTrainer
{
    /// <summary>Trains <paramref name="trainer"/> (<see cref="Trainers.MlNetFastTree"/> or <see cref="Trainers.MlNetLightGbm"/>) on <paramref name="train"/>.</summary>
    /// <exception cref="ArgumentException">Parameters without ML.NET counterpart, bad labels or data.</exception>
    /// <exception cref="DllNotFoundException">The trainer's native library (LightGBM, or FastTree's x64 helper) is missing from the application.</exception>
    /// <exception cref="InvalidOperationException">The conversion does not reproduce ML.NET (a bug: refused rather than served wrong).</exception>
    public static TrainingResult Train(string trainer, TabularData train, TabularData? validation, TrainingOptions options)
    {
        var trained = TrainMlNet(trainer, train, validation, options);
        var json = trained.Ensemble.ToXGBoostJson();
        // XGBoost loads the converted model: the artifact's UBJSON, explanations and --engine xgboost read it as any other.
        var model = TrainedModel.Load(json, trained.Ensemble.Objective, trained.Ensemble.NumClass, train.FeatureNames, trained.Parameters);
        return new TrainingResult(model, model.Rounds - 1, [], trained.Duration);
    }

    /// <summary>Trains and converts, keeping ML.NET's own model beside the conversion (for tests and comparisons).</summary>
    internal static MlNetTraining TrainMlNet(string trainer, TabularData train, TabularData? validation, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Labels is null) throw new ArgumentException("The training data has no labels.");
        if (train.Rows == 0) throw new ArgumentException("The training data has no rows.");
        if (validation is not null && validation.Columns != train.Columns)
        {
            throw new ArgumentException($"The validation data has {validation.Columns} features, the training data {train.Columns}.");
        }
        var settings = MlNetParameters.From(trainer, options);
        TrainingLabels.Validate(train.Labels, settings.Objective, settings.NumClass);

        var stopwatch = Stopwatch.StartNew();
        var context = new MLContext(settings.Seed);
        options.Cancellation.ThrowIfCancellationRequested();
        var data = MlNetData.Training(context, train, settings.Objective, settings.NumClass);
        ITransformer fitted;
        // FastTree fits a multi-class model as one binary model per class, in turn: its progress counts the trees of all.
        var unitsPerRound = trainer == Trainers.MlNetFastTree && settings.Objective == "multi:softprob" ? settings.NumClass : 1;
        using (new MlNetFitWatch(context, options, unitsPerRound, settings.Trees))
        {
            try
            {
                fitted = Estimator(context, trainer, settings, train.Weights is not null).Fit(data);
            }
            catch (Exception ex) when (MissingLibrary(ex) is { } missing)
            {
                throw new DllNotFoundException(MissingLibraryMessage(trainer, missing), ex);
            }
            catch (Exception ex) when (options.Cancellation.IsCancellationRequested)
            {
                // Whatever the fit threw once the caller asked it to stop is the stop: ML.NET's own cancellation, wrapped
                // in an AggregateException by FastTree's worker threads, or (seen on a busy machine) an
                // InvalidOperationException from a fit torn down half-way, which a worker would otherwise retry as a
                // failure, training again for as long as the cancelled job had planned.
                throw new OperationCanceledException("Training was cancelled.", ex, options.Cancellation);
            }
        }
        options.Cancellation.ThrowIfCancellationRequested();
        options.OnRound?.Invoke(settings.Trees, settings.Trees);
        var predictor = (ISingleFeaturePredictionTransformer<object>)fitted;
        var mode = OneVersusAllOutputs.SoftmaxOfLogOdds;
        var ensemble = MlNetEnsembleReader.Read(predictor.Model, train.FeatureNames, mode);
        ensemble.CountCovers(train);
        VerifyConversion(context, predictor, ensemble, mode, CheckRows(train));
        stopwatch.Stop();
        return new MlNetTraining(context, predictor, ensemble, settings.Describe(trainer, options.Parameters), stopwatch.Elapsed);
    }

    /// <summary>Predicts <paramref name="rows"/> with ML.NET and with the compiled evaluator of the conversion, and refuses any difference beyond <see cref="MlNetReference.Tolerance"/>.</summary>
    internal static void VerifyConversion(MLContext context, ISingleFeaturePredictionTransformer<object> predictor, ConvertedEnsemble ensemble, OneVersusAllOutputs mode, TabularData rows, IReadOnlyList<int>? classGroups = null)
    {
        var compiled = CompiledModel.FromXgboostJson(Encoding.UTF8.GetString(ensemble.ToXGBoostJson()));
        MlNetReference.Verify(MlNetReference.Predict(context, predictor, rows, ensemble, mode, classGroups), MlNetReference.Converted(compiled, rows), rows, ensemble.OutputCount);
    }

    /// <summary>Up to 1,000 rows spread through the training set, and the golden samples' copies with every other feature missing.</summary>
    private static TabularData CheckRows(TabularData train)
    {
        var step = Math.Max(1, train.Rows / 1000);
        var spread = train.Select(Enumerable.Range(0, train.Rows).Where(r => r % step == 0).Take(1000).ToArray());
        var missing = GoldenSampleBuilder.ChooseRows(train);
        return new TabularData([.. spread.Features, .. missing.Features], spread.Rows + missing.Rows, train.FeatureNames);
    }


    /// <summary>The native library ML.NET failed to load, wherever in the exception chain (FastTree's threads wrap it in an AggregateException).</summary>
    private static DllNotFoundException? MissingLibrary(Exception ex) => ex switch
    {
        DllNotFoundException missing => missing,
        AggregateException aggregate => aggregate.InnerExceptions.Select(MissingLibrary).FirstOrDefault(m => m is not null),
        { InnerException: { } inner } => MissingLibrary(inner),
        _ => null,
    };

    private static string MissingLibraryMessage(string trainer, DllNotFoundException missing)
    {
        // The loader's message lists every path it probed: its first line says enough.
        var reason = missing.Message.Split('\n')[0].Trim();
        return trainer == Trainers.MlNetLightGbm
            ? $"--trainer {trainer} needs LightGBM's native library (lib_lightgbm.so, from the LightGBM 4.6 package Microsoft.ML.LightGbm depends on, for x64 only, in the runtimes/<rid>/native folder beside the application), and it could not be loaded ({reason}). Use --trainer {Trainers.MlNetFastTree}, which needs no library beyond its own package."
            : $"--trainer {trainer} needs FastTree's native helper on x64 (libFastTreeNative.so, shipped in the Microsoft.ML.FastTree package's runtimes/<rid>/native folder beside the application), and it could not be loaded ({reason}). Publish the application with its runtimes folder.";
    }

    private static IEstimator<ITransformer> Estimator(MLContext context, string trainer, MlNetParameters settings, bool weighted)
    {
        var weight = weighted ? MlNetData.Weight : null;
        return (trainer, settings.Objective) switch
        {
            (Trainers.MlNetFastTree, "binary:logistic") => context.BinaryClassification.Trainers.FastTree(FastTree<FastTreeBinaryTrainer.Options>(settings, weight)),
            (Trainers.MlNetFastTree, "reg:squarederror") => context.Regression.Trainers.FastTree(FastTree<FastTreeRegressionTrainer.Options>(settings, weight)),
            // FastTree has no multi-class loss: one binary model per class, whose log-odds Cascade turns into probabilities by softmax.
            (Trainers.MlNetFastTree, _) => context.MulticlassClassification.Trainers.OneVersusAll(
                context.BinaryClassification.Trainers.FastTree(FastTree<FastTreeBinaryTrainer.Options>(settings, weight)), useProbabilities: false),
            (Trainers.MlNetLightGbm, "binary:logistic") => context.BinaryClassification.Trainers.LightGbm(LightGbm(new LightGbmBinaryTrainer.Options(), settings, weight)),
            (Trainers.MlNetLightGbm, "reg:squarederror") => context.Regression.Trainers.LightGbm(LightGbm(new LightGbmRegressionTrainer.Options(), settings, weight)),
            (Trainers.MlNetLightGbm, _) => context.MulticlassClassification.Trainers.LightGbm(LightGbm(new LightGbmMulticlassTrainer.Options { UseSoftmax = true }, settings, weight)),
            _ => throw new ArgumentException($"Unknown ML.NET trainer '{trainer}'."),
        };
    }

    private static T FastTree<T>(MlNetParameters settings, string? weight) where T : BoostedTreeOptions, new()
    {
        var options = new T
        {
            NumberOfTrees = settings.Trees,
            NumberOfThreads = settings.Threads,
            Seed = settings.Seed,
            FeatureColumnName = MlNetData.Features,
            LabelColumnName = MlNetData.Label,
            ExampleWeightColumnName = weight,
        };
        if (settings.LearningRate is { } rate) options.LearningRate = rate;
        if (settings.Leaves is { } leaves) options.NumberOfLeaves = leaves;
        if (settings.MinRowsPerLeaf is { } rows) options.MinimumExampleCountPerLeaf = rows;
        if (settings.MaxBins is { } bins) options.MaximumBinCountPerFeature = bins;
        return options;
    }

    private static LightGbmBinaryTrainer.Options LightGbm(LightGbmBinaryTrainer.Options options, MlNetParameters settings, string? weight) =>
        Fill(options, settings, weight);

    private static LightGbmRegressionTrainer.Options LightGbm(LightGbmRegressionTrainer.Options options, MlNetParameters settings, string? weight) =>
        Fill(options, settings, weight);

    private static LightGbmMulticlassTrainer.Options LightGbm(LightGbmMulticlassTrainer.Options options, MlNetParameters settings, string? weight) =>
        Fill(options, settings, weight);

    private static TOptions Fill<TOptions, TOutput, TTransformer, TModel>(LightGbmTrainerBase<TOptions, TOutput, TTransformer, TModel>.OptionsBase options, MlNetParameters settings, string? weight)
        where TOptions : LightGbmTrainerBase<TOptions, TOutput, TTransformer, TModel>.OptionsBase, new()
        where TTransformer : ISingleFeaturePredictionTransformer<TModel>
        where TModel : class
    {
        options.NumberOfIterations = settings.Trees;
        options.NumberOfThreads = settings.Threads;
        options.Seed = settings.Seed;
        // Same data, same seed, same model: LightGBM's deterministic mode, and numeric splits only (the evaluator has no categorical ones).
        options.Deterministic = true;
        options.UseCategoricalSplit = false;
        options.Silent = true;
        options.FeatureColumnName = MlNetData.Features;
        options.LabelColumnName = MlNetData.Label;
        options.ExampleWeightColumnName = weight;
        options.LearningRate = settings.LearningRate;
        options.NumberOfLeaves = settings.Leaves;
        options.MinimumExampleCountPerLeaf = settings.MinRowsPerLeaf;
        if (settings.MaxBins is { } bins) options.MaximumBinCountPerFeature = bins;
        return (TOptions)options;
    }
}

/// <summary>An ML.NET model as trained, its conversion, the parameters recorded for it, and the training time.</summary>
internal sealed record MlNetTraining(MLContext Context, ISingleFeaturePredictionTransformer<object> Predictor, ConvertedEnsemble Ensemble, IReadOnlyDictionary<string, string> Parameters, TimeSpan Duration);
