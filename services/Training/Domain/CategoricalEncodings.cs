using Cascade.Ml.Evaluation.Categorical;
using WireColumn = Cascade.Contracts.Common.V1.CategoricalColumn;
using WireEncoding = Cascade.Contracts.Common.V1.CategoricalEncoding;

namespace Cascade.Training.Domain;

/// <summary>A job's categorical columns (as its feature view version encoded them) in the form the artifact records.</summary>
public static class CategoricalEncodings
{
    /// <exception cref="ArgumentException">A column with no encoding, or a vocabulary or feature names that do not fit it.</exception>
    public static IReadOnlyList<CategoricalColumn> FromProto(IEnumerable<WireColumn> columns) => columns.Select(c => new CategoricalColumn(
        c.Column,
        c.Encoding switch
        {
            WireEncoding.OneHot => CategoricalEncoding.OneHot,
            WireEncoding.Ordinal => CategoricalEncoding.Ordinal,
            _ => throw new ArgumentException($"Categorical column '{c.Column}' of the job has no encoding."),
        },
        c.Vocabulary.ToArray(),
        c.FeatureNames.ToArray())).ToArray();

    /// <summary>Whether two models read their features the same way: same categorical columns, vocabularies and names (order of columns aside).</summary>
    public static bool Same(IReadOnlyList<CategoricalColumn> a, IReadOnlyList<CategoricalColumn> b) =>
        a.Count == b.Count && a.All(x => b.Any(y => x.EncodesLike(y)));
}
