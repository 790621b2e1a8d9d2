using System.Globalization;

namespace Cascade.Distributed.Tests;

/// <summary>A Kubernetes resource quantity (500m, 4, 512Mi, 8Gi) as a number, to compare requests with limits.</summary>
internal static class KubernetesQuantity
{
    public static decimal Parse(string text)
    {
        (string Suffix, decimal Factor)[] suffixes = [("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("m", 0.001m), ("k", 1e3m), ("M", 1e6m), ("G", 1e9m)];
        foreach (var (suffix, factor) in suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)) return decimal.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
        }
        return decimal.Parse(text, CultureInfo.InvariantCulture);
    }
}
