namespace Cascade.Ml.Training;

/// <summary>
/// Validates XGBoost parameters against the names XGBoost 1.7 knows: XGBoost itself silently ignores a
/// misspelled name (<c>max_dept=3</c> trains with the default depth), so Cascade refuses it with a suggestion.
/// </summary>
public static class XGBoostParameters
{
    /// <summary>Objectives Cascade trains and serves (the compiled evaluator supports exactly these).</summary>
    public static readonly IReadOnlySet<string> SupportedObjectives = new HashSet<string>(StringComparer.Ordinal)
    {
        "binary:logistic", "reg:squarederror", "multi:softprob",
    };

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        // learner
        "objective", "base_score", "eval_metric", "seed", "seed_per_iteration", "nthread", "num_class", "booster",
        "disable_default_eval_metric", "validate_parameters", "verbosity", "tree_method", "max_bin", "gpu_id", "predictor",
        // tree booster
        "eta", "learning_rate", "gamma", "min_split_loss", "max_depth", "min_child_weight", "max_delta_step", "subsample",
        "sampling_method", "colsample_bytree", "colsample_bylevel", "colsample_bynode", "lambda", "reg_lambda", "alpha",
        "reg_alpha", "scale_pos_weight", "grow_policy", "max_leaves", "num_parallel_tree", "monotone_constraints",
        "interaction_constraints", "refresh_leaf", "process_type", "updater", "sketch_eps", "max_cat_to_onehot", "max_cat_threshold",
        // objective-specific
        "tweedie_variance_power", "huber_slope",
    };

    /// <summary>Refuses unknown names (with the closest known ones) and objectives Cascade cannot serve.</summary>
    /// <exception cref="ArgumentException">What is wrong and how to fix it.</exception>
    public static void Validate(IReadOnlyDictionary<string, string> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            if (!Known.Contains(name))
            {
                var suggestions = Known.Select(k => (k, d: Distance(name, k))).Where(x => x.d <= 3).OrderBy(x => x.d).Take(3).Select(x => x.k).ToArray();
                var hint = suggestions.Length > 0 ? $" Did you mean {string.Join(" or ", suggestions)}?" : string.Empty;
                throw new ArgumentException($"Unknown XGBoost parameter '{name}'.{hint} XGBoost would silently ignore it.");
            }
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"Parameter '{name}' has an empty value.");
            }
        }
        if (parameters.TryGetValue("objective", out var objective) && !SupportedObjectives.Contains(objective))
        {
            throw new ArgumentException($"Objective '{objective}' is not supported; use one of {string.Join(", ", SupportedObjectives)}.");
        }
        if (parameters.TryGetValue("booster", out var booster) && booster != "gbtree")
        {
            throw new ArgumentException($"Booster '{booster}' is not supported: Cascade serves tree ensembles (booster=gbtree).");
        }
        if (parameters.GetValueOrDefault("objective") == "multi:softprob" && !parameters.ContainsKey("num_class"))
        {
            throw new ArgumentException("multi:softprob needs num_class=<number of classes>.");
        }
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
