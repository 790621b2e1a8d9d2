namespace Cascade.Bench.Soak;

/// <summary>What the soak runs: how many records, against which deployment, with how much prediction load.</summary>
internal sealed record SoakOptions(long Records, bool Distributed, int Clients, long DriftAt, TimeSpan SamplePeriod, double FlatPercent, int Rate, bool FullGc = false)
{
    /// <summary>Null when the arguments are wrong (the caller prints the usage).</summary>
    public static SoakOptions? Parse(string[] args)
    {
        long records = 1_000_000, driftAt = long.MinValue;
        bool distributed = false, fullGc = false;
        int clients = 4, sampleSeconds = 10, rate = 4_000;
        double flatPercent = 10;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--records": records = long.Parse(Value().Replace("_", "").Replace(",", "")); break;
                    case "--distributed": distributed = true; break;
                    case "--full-gc": fullGc = true; break;
                    case "--clients": clients = int.Parse(Value()); break;
                    case "--drift-at": driftAt = long.Parse(Value().Replace("_", "").Replace(",", "")); break;
                    case "--sample-seconds": sampleSeconds = int.Parse(Value()); break;
                    case "--rate": rate = int.Parse(Value().Replace("_", "").Replace(",", "")); break;
                    case "--flat-percent": flatPercent = double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                    default: return null;
                }
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
            {
                Console.Error.WriteLine(ex.Message);
                return null;
            }
        }
        if (records < 1 || rate < 0 || clients < 1 || sampleSeconds < 1 || flatPercent <= 0) return null;
        // No drift is written as -1; SyntheticStream takes "never" as a sequence past the end.
        driftAt = driftAt == long.MinValue ? records / 2 : driftAt < 0 ? long.MaxValue : driftAt;
        return new SoakOptions(records, distributed, clients, driftAt, TimeSpan.FromSeconds(sampleSeconds), flatPercent, rate, fullGc);
    }

    /// <summary>Records after which RSS is taken as the warm-up baseline: 100k, or a tenth of a shorter run.</summary>
    public long WarmUpRecords => Math.Min(100_000, Records / 10);
}
