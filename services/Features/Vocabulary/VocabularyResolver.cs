using Cascade.Contracts.Features.V1;
using Cascade.Features.Domain;
using Cascade.Features.Options;

namespace Cascade.Features.Vocabulary;

/// <summary>
/// Everything a view version needs from the data before it is stored: its <c>top_k</c> vocabularies (the K most
/// frequent values in the records already on the data topic) and a check that its categorical columns hold no FLOAT64
/// values. Runs only for a spec that differs from the current version: the same spec applied again keeps its vocabularies.
/// </summary>
public sealed class VocabularyResolver(DataTopicScanner scanner, VocabularyOptions options)
{
    /// <summary>The vocabulary of every <c>top_k</c> column, by column (empty when there are none).</summary>
    /// <exception cref="ArgumentException">A categorical column holds FLOAT64 values.</exception>
    /// <exception cref="VocabularyUnavailableException">A <c>top_k</c> column has no value in the data yet.</exception>
    /// <exception cref="TimeoutException">The data could not be read in time.</exception>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ResolveAsync(FeatureViewSpec spec, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (spec.Categoricals.Count == 0) return resolved;
        var needsData = FeatureViewDefinition.NeedsData(spec);
        var scan = await scanner.ScanAsync(spec.Dataset, spec.Categoricals.Select(c => c.Column).ToArray(), needsData ? options.MaxRecords : options.TypeCheckRecords, cancellationToken);
        foreach (var (column, (kind, where)) in scan.WrongTypes)
        {
            var type = kind == Contracts.Common.V1.Value.KindOneofCase.Float64Value ? "FLOAT64" : kind.ToString();
            throw new ArgumentException($"Column '{column}' of dataset '{spec.Dataset}' holds {type} values ({where}): a categorical column must be STRING, INT64 or BOOL. Pass a numeric column through instead.");
        }
        foreach (var categorical in spec.Categoricals.Where(c => c.Vocabulary.Count == 0))
        {
            var counts = scan.Counts(categorical.Column);
            if (counts.Present == 0)
            {
                var found = scan.Records == 0
                    ? $"dataset '{spec.Dataset}' has no records yet"
                    : $"none of the {scan.Records:N0} records of dataset '{spec.Dataset}' has a value in column '{categorical.Column}'";
                throw new VocabularyUnavailableException($"Categorical column '{categorical.Column}' (top_k {categorical.TopK}) takes its vocabulary from the data, but {found}: ingest some data first, or list the vocabulary.");
            }
            resolved[categorical.Column] = counts.Top(categorical.TopK);
        }
        return resolved;
    }
}
