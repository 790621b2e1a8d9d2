using System.Globalization;
using System.Reflection;
using Cascade.Ml.Training;

namespace Cascade.Ml.MlNet;

/// <summary>
/// The ML.NET settings a Cascade training request maps to. The same XGBoost-style names mean the same thing for every
/// trainer: <c>objective</c> picks the task, <c>--rounds</c> the number of trees, <c>eta</c> the learning rate,
/// <c>max_depth</c> the leaves (2^depth), <c>min_child_weight</c> the fewest rows in a leaf. A name with no ML.NET
/// counterpart is refused, never silently dropped.
/// </summary>
internal sealed record MlNetParameters
{
    /// <summary>The names an ML.NET trainer takes.</summary>
    public static readonly IReadOnlyList<string> Accepted =
        ["objective", "num_class", "eta", "learning_rate", "max_depth", "max_leaves", "min_child_weight", "max_bin", "seed", "nthread"];

    public required string Objective { get; init; }

    /// <summary>Classes for multi:softprob, else 1.</summary>
    public required int NumClass { get; init; }

    public required int Trees { get; init; }

    /// <summary>Null keeps the ML.NET trainer's default (FastTree 0.2, LightGbm its own choice).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Null keeps ML.NET's default (20 FastTree, LightGbm its own).</summary>
    public int? Leaves { get; init; }

    /// <summary>Null keeps ML.NET's default (10 FastTree, LightGbm its own).</summary>
    public int? MinRowsPerLeaf { get; init; }

    /// <summary>Null keeps ML.NET's default (255).</summary>
    public int? MaxBins { get; init; }

    public required int Seed { get; init; }

    public required int Threads { get; init; }

    /// <summary>The Microsoft.ML package version (its assemblies all say 1.0.0.0).</summary>
    public static string MlNetVersion { get; } =
        typeof(Microsoft.ML.MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    /// <summary>Checks <paramref name="options"/> for <paramref name="trainer"/> and maps them.</summary>
    /// <exception cref="ArgumentException">A parameter without ML.NET counterpart, a bad value, or an option ML.NET trainers lack.</exception>
    public static MlNetParameters From(string trainer, TrainingOptions options)
    {
        if (options.Rounds < 1) throw new ArgumentException($"Rounds must be at least 1 (got {options.Rounds}).");
        if (options.EarlyStoppingRounds is not null)
        {
            throw new ArgumentException($"Early stopping is an XGBoost option: leave it out with --trainer {trainer} (the validation set still gives its metrics).");
        }
        if (options.Device != "cpu")
        {
            throw new ArgumentException($"--trainer {trainer} trains on the CPU: leave --device out (device '{options.Device}' was asked for).");
        }
        Validate(trainer, options.Parameters);
        var p = options.Parameters;
        var objective = p.GetValueOrDefault("objective", "reg:squarederror");
        int? leaves = p.TryGetValue("max_leaves", out var maxLeaves) ? Integer(p, "max_leaves", 2, 131072)
            : p.ContainsKey("max_depth") ? 1 << Integer(p, "max_depth", 1, 17)
            : null;
        return new MlNetParameters
        {
            Objective = objective,
            NumClass = objective == "multi:softprob" ? Integer(p, "num_class", 2, 10000) : 1,
            Trees = options.Rounds,
            LearningRate = p.ContainsKey("learning_rate") ? Real(p, "learning_rate") : p.ContainsKey("eta") ? Real(p, "eta") : null,
            Leaves = leaves,
            MinRowsPerLeaf = p.ContainsKey("min_child_weight") ? Integer(p, "min_child_weight", 1, int.MaxValue) : null,
            MaxBins = p.ContainsKey("max_bin") ? Integer(p, "max_bin", 2, 65536) : null,
            Seed = p.ContainsKey("seed") ? Integer(p, "seed", 0, int.MaxValue) : 0,
            Threads = p.ContainsKey("nthread") ? Integer(p, "nthread", 1, 1024) : Math.Max(1, Environment.ProcessorCount - 1),
        };
    }

    /// <summary>Refuses names without an ML.NET counterpart and objectives Cascade does not serve.</summary>
    /// <exception cref="ArgumentException">What is wrong and what the trainer accepts.</exception>
    public static void Validate(string trainer, IReadOnlyDictionary<string, string> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            if (!Accepted.Contains(name))
            {
                throw new ArgumentException($"Parameter '{name}' has no counterpart in the {trainer} trainer; it takes {string.Join(", ", Accepted)} (and --rounds for the number of trees).");
            }
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"Parameter '{name}' has an empty value.");
            }
        }
        if (parameters.TryGetValue("objective", out var objective) && !XGBoostParameters.SupportedObjectives.Contains(objective))
        {
            throw new ArgumentException($"Objective '{objective}' is not supported; use one of {string.Join(", ", XGBoostParameters.SupportedObjectives)}.");
        }
        if (parameters.GetValueOrDefault("objective") == "multi:softprob" && !parameters.ContainsKey("num_class"))
        {
            throw new ArgumentException("multi:softprob needs num_class=<number of classes>.");
        }
    }

    /// <summary>
    /// What the model records as its parameters: the trainer, the parameters as given (XGBoost's names, so the same
    /// request trains the same model again), the resolved seed and threads, and the ML.NET settings they became
    /// (<c>mlnet_*</c>, for reading only).
    /// </summary>
    public Dictionary<string, string> Describe(string trainer, IReadOnlyDictionary<string, string> given)
    {
        var described = new Dictionary<string, string>(given, StringComparer.Ordinal)
        {
            ["trainer"] = trainer,
            ["objective"] = Objective,
            ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
            ["nthread"] = Threads.ToString(CultureInfo.InvariantCulture),
            ["mlnet_trees"] = Trees.ToString(CultureInfo.InvariantCulture),
            ["mlnet_version"] = MlNetVersion,
        };
        if (LearningRate is { } rate) described["mlnet_learning_rate"] = rate.ToString("R", CultureInfo.InvariantCulture);
        if (Leaves is { } leaves) described["mlnet_leaves"] = leaves.ToString(CultureInfo.InvariantCulture);
        if (MinRowsPerLeaf is { } rows) described["mlnet_min_rows_per_leaf"] = rows.ToString(CultureInfo.InvariantCulture);
        if (MaxBins is { } bins) described["mlnet_max_bins"] = bins.ToString(CultureInfo.InvariantCulture);
        return described;
    }

    private static int Integer(IReadOnlyDictionary<string, string> parameters, string name, int min, int max)
    {
        var text = parameters.GetValueOrDefault(name) ?? throw new ArgumentException($"Parameter '{name}' is required.");
        // min_child_weight is a real number in XGBoost; as a row count it must be whole.
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value != Math.Floor(value) || value < min || value > max)
        {
            throw new ArgumentException($"Parameter '{name}' must be a whole number from {min} to {max} for ML.NET trainers, got '{text}'.");
        }
        return (int)value;
    }

    private static double Real(IReadOnlyDictionary<string, string> parameters, string name)
    {
        var text = parameters[name];
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentException($"Parameter '{name}' must be a positive number, got '{text}'.");
        }
        return value;
    }
}
