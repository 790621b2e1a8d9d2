using System.Globalization;
using Cascade.Bench.Drift.Detectors;
using Cascade.Bench.Drift.Models;

namespace Cascade.Bench.Drift;

/// <summary>The command line: <c>dotnet run -c Release --project bench/DriftBench [-- options]</c>.</summary>
public sealed class BenchOptions
{
    public const string Usage = """
        Options:
          --quick                  1 seed per drifting stream, 200,000-instance stationary streams (about a minute)
          --seeds N                runs (seeds 1..N) per drifting stream; default 5
          --stationary-length N    instances of each stationary stream; default 1,000,000
          --acceptance A,B         acceptance windows after a drift, in instances; default 250,1000
          --streams X,Y            only streams whose name contains one of these (case-insensitive), e.g. sea,led
          --detectors X,Y          only these detectors, e.g. adwin,cascade
          --model naive-bayes|xgboost
                                   the model Cascade's monitor watches; default naive-bayes (xgboost needs libxgboost0)
          --variant NAME=FILE      add a variant of Cascade's monitor whose options are read from FILE (JSON shaped like
                                   the Cascade:Monitoring:Drift section); repeatable
          --estimation-only        only the table of performance estimated without labels (covariate vs concept shift; seconds)
        """;

    public int Seeds { get; private set; } = 5;

    public int StationaryLength { get; private set; } = 1_000_000;

    public IReadOnlyList<int> Acceptances { get; private set; } = [250, 1000];

    public IReadOnlyList<string> Streams { get; private set; } = [];

    public IReadOnlyList<string> Detectors { get; private set; } = [];

    public List<CascadeVariant> ExtraVariants { get; } = [];

    public bool Quick { get; private set; }

    /// <summary>Print only the performance-estimation table (no detector runs).</summary>
    public bool EstimationOnly { get; private set; }

    public ModelKind Model { get; private set; } = ModelKind.NaiveBayes;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with the reason on a bad one.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        var seedsSet = false;
        var lengthSet = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--quick": options.Quick = true; break;
                case "--estimation-only": options.EstimationOnly = true; break;
                case "--seeds": options.Seeds = Positive(Value()); seedsSet = true; break;
                case "--stationary-length": options.StationaryLength = Positive(Value()); lengthSet = true; break;
                case "--acceptance": options.Acceptances = List(Value()).Select(Positive).ToArray(); break;
                case "--streams": options.Streams = List(Value()); break;
                case "--detectors": options.Detectors = List(Value()); break;
                case "--model":
                    options.Model = Value() switch
                    {
                        "naive-bayes" => ModelKind.NaiveBayes,
                        "xgboost" => ModelKind.XGBoost,
                        var other => throw new ArgumentException($"Unknown model '{other}': naive-bayes or xgboost."),
                    };
                    break;
                case "--variant":
                    var value = Value();
                    var equals = value.IndexOf('=');
                    if (equals <= 0 || equals == value.Length - 1) throw new ArgumentException("--variant takes NAME=FILE.");
                    var path = value[(equals + 1)..];
                    if (!File.Exists(path)) throw new ArgumentException($"--variant: no file {path}.");
                    options.ExtraVariants.Add(DetectorCatalog.FromJson(value[..equals], path));
                    break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }
        if (options.Quick)
        {
            if (!seedsSet) options.Seeds = 1;
            if (!lengthSet) options.StationaryLength = 200_000;
        }
        return options;
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Positive(string value) =>
        int.TryParse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"'{value}' is not a positive whole number.");
}
