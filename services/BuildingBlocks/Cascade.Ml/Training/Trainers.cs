using Cascade.Ml.Data;
using Cascade.Ml.MlNet;

namespace Cascade.Ml.Training;

/// <summary>
/// The engines Cascade trains with. Every one produces the same kind of model (a gbtree ensemble that the compiled
/// evaluator serves bit-identically to XGBoost), so the trainer only changes how the trees are grown.
/// </summary>
public static class Trainers
{
    /// <summary>XGBoost through libxgboost's C API (the default).</summary>
    public const string XGBoost = "xgboost";

    /// <summary>ML.NET FastTree: nothing to install (its x64 helper, libFastTreeNative, ships in the NuGet package; other architectures run managed code).</summary>
    public const string MlNetFastTree = "mlnet-fasttree";

    /// <summary>ML.NET LightGbm: LightGBM 4.6's native library, from the LightGBM package Microsoft.ML.LightGbm depends on (x64 only).</summary>
    public const string MlNetLightGbm = "mlnet-lightgbm";

    public static readonly IReadOnlyList<string> All = [XGBoost, MlNetFastTree, MlNetLightGbm];

    /// <summary>Trains with <see cref="TrainingOptions.Trainer"/>.</summary>
    /// <exception cref="ArgumentException">An unknown trainer, or parameters, data or options it refuses.</exception>
    public static TrainingResult Train(TabularData train, TabularData? validation, TrainingOptions options) => Require(options.Trainer) switch
    {
        XGBoost => XGBoostTrainer.Train(train, validation, options),
        var trainer => MlNetTrainer.Train(trainer, train, validation, options),
    };

    /// <summary>Checks parameters as the trainer will (for a policy, before any job runs).</summary>
    /// <exception cref="ArgumentException">What is wrong and how to fix it.</exception>
    public static void ValidateParameters(string trainer, IReadOnlyDictionary<string, string> parameters)
    {
        if (Require(trainer) == XGBoost)
        {
            XGBoostParameters.Validate(parameters);
        }
        else
        {
            MlNetParameters.Validate(trainer, parameters);
        }
    }

    /// <summary><paramref name="trainer"/> when known; empty means the default.</summary>
    /// <exception cref="ArgumentException">An unknown trainer name, listing the known ones.</exception>
    public static string Require(string? trainer) => string.IsNullOrEmpty(trainer) ? XGBoost
        : All.Contains(trainer) ? trainer
        : throw new ArgumentException($"Unknown trainer '{trainer}'; use one of {string.Join(", ", All)}.");
}
