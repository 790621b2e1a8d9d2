namespace Cascade.Bench.Drift.Models;

/// <summary>Which model Cascade's monitor watches.</summary>
public enum ModelKind
{
    /// <summary>The baselines' learner, trained once and frozen: no native library needed.</summary>
    NaiveBayes,
    /// <summary>What Cascade's Training makes: XGBoost through its C API (Debian's libxgboost0), served by the compiled evaluator.</summary>
    XGBoost,
}
