using System.Numerics;
using System.Text.Json.Serialization;

namespace Cascade.Ml.Evaluation.Categorical;

/// <summary>
/// One categorical column and its vocabulary, and the one code path that turns its values into features: Features
/// when it materializes online and offline rows, <c>cascade predict</c> on raw CSV cells, and (backwards) the
/// reference profile and Monitoring when they read categories out of encoded vectors. Immutable.
/// </summary>
/// <remarks>
/// A missing value (null or empty) and a value outside the vocabulary both encode as NaN in every output feature of
/// the column: XGBoost sends missing values down each split's learned default branch, so an unseen category is
/// treated like a missing one instead of being forced into the branch of code 0 or of "all zeros".
/// </remarks>
public sealed class CategoricalColumn
{
    /// <summary>The category name, in profiles and alerts, of missing values and values outside the vocabulary.</summary>
    public const string MissingCategory = "(missing/unseen)";

    private readonly Dictionary<string, int> _codes;

    /// <exception cref="ArgumentException">An empty column or vocabulary, an empty or repeated value, or feature names that do not fit the encoding.</exception>
    [JsonConstructor]
    public CategoricalColumn(string column, CategoricalEncoding encoding, IReadOnlyList<string> vocabulary, IReadOnlyList<string> featureNames)
    {
        if (string.IsNullOrWhiteSpace(column)) throw new ArgumentException("A categorical column needs a name.");
        if (!Enum.IsDefined(encoding)) throw new ArgumentException($"Categorical column '{column}': unknown encoding {encoding}.");
        if (vocabulary is null || vocabulary.Count == 0) throw new ArgumentException($"Categorical column '{column}' has an empty vocabulary.");
        _codes = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (var i = 0; i < vocabulary.Count; i++)
        {
            // An empty value is how a missing value reads: it could never be told apart from one.
            if (string.IsNullOrEmpty(vocabulary[i])) throw new ArgumentException($"Categorical column '{column}': the vocabulary holds an empty value (empty means missing).");
            if (!_codes.TryAdd(vocabulary[i], i)) throw new ArgumentException($"Categorical column '{column}': '{vocabulary[i]}' appears twice in the vocabulary.");
        }
        var width = encoding == CategoricalEncoding.OneHot ? vocabulary.Count : 1;
        if (featureNames is null || featureNames.Count != width || featureNames.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"Categorical column '{column}' ({encoding}, {vocabulary.Count} values) needs {width} feature name(s), got {featureNames?.Count ?? 0}.");
        }
        Column = column;
        Encoding = encoding;
        Vocabulary = vocabulary.ToArray();
        FeatureNames = featureNames.ToArray();
    }

    /// <summary>A column whose features are named the default way (see <see cref="FeatureNamesOf"/>).</summary>
    public static CategoricalColumn Create(string column, CategoricalEncoding encoding, IReadOnlyList<string> vocabulary, string? name = null) =>
        new(column, encoding, vocabulary, FeatureNamesOf(column, encoding, vocabulary, name));

    /// <summary>ORDINAL: one feature, <paramref name="name"/> or the column; ONE_HOT: <c>prefix=value</c> per value, the prefix being <paramref name="name"/> or the column.</summary>
    public static IReadOnlyList<string> FeatureNamesOf(string column, CategoricalEncoding encoding, IReadOnlyList<string> vocabulary, string? name = null)
    {
        var prefix = string.IsNullOrEmpty(name) ? column : name;
        return encoding == CategoricalEncoding.OneHot ? vocabulary.Select(v => $"{prefix}={v}").ToArray() : [prefix];
    }

    /// <summary>The dataset column (or CSV column) the values come from.</summary>
    [JsonPropertyName("column")] public string Column { get; }

    [JsonPropertyName("encoding")] public CategoricalEncoding Encoding { get; }

    /// <summary>The known values, in code order.</summary>
    [JsonPropertyName("vocabulary")] public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>The output features, in model order.</summary>
    [JsonPropertyName("feature_names")] public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Output features per value: the vocabulary's size for ONE_HOT, 1 for ORDINAL.</summary>
    [JsonIgnore] public int Width => FeatureNames.Count;

    /// <summary>The value's index in the vocabulary; -1 for a missing (null or empty) or unknown value. Exact, case-sensitive text.</summary>
    public int CodeOf(string? value) => !string.IsNullOrEmpty(value) && _codes.TryGetValue(value, out var code) ? code : -1;

    /// <summary>Writes the features of <paramref name="value"/> into <paramref name="output"/> (<see cref="Width"/> values).</summary>
    public void Encode<T>(string? value, Span<T> output) where T : IFloatingPointIeee754<T>
    {
        if (output.Length != Width) throw new ArgumentException($"Column '{Column}' encodes into {Width} feature(s), not {output.Length}.", nameof(output));
        var code = CodeOf(value);
        if (code < 0)
        {
            output.Fill(T.NaN);
        }
        else if (Encoding == CategoricalEncoding.Ordinal)
        {
            output[0] = T.CreateChecked(code);
        }
        else
        {
            output.Fill(T.Zero);
            output[code] = T.One;
        }
    }

    /// <summary>
    /// The code that <paramref name="encoded"/> (<see cref="Width"/> values) stands for; -1 when it stands for a missing
    /// or unseen value, or is nothing <see cref="Encode{T}"/> writes (an ordinal out of range, a one-hot without one 1).
    /// </summary>
    public int Decode<T>(ReadOnlySpan<T> encoded) where T : IFloatingPointIeee754<T>
    {
        if (encoded.Length != Width) throw new ArgumentException($"Column '{Column}' has {Width} feature(s), not {encoded.Length}.", nameof(encoded));
        if (Encoding == CategoricalEncoding.Ordinal)
        {
            var value = encoded[0];
            return T.IsInteger(value) && value >= T.Zero && value < T.CreateChecked(Vocabulary.Count) ? int.CreateChecked(value) : -1;
        }
        var hot = -1;
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == T.One && hot < 0) hot = i;
            else if (encoded[i] != T.Zero) return -1;
        }
        return hot;
    }

    /// <summary>Whether <paramref name="other"/> encodes every value into the same features (same column, encoding, vocabulary order and names).</summary>
    public bool EncodesLike(CategoricalColumn other) =>
        Column == other.Column && Encoding == other.Encoding && Vocabulary.SequenceEqual(other.Vocabulary, StringComparer.Ordinal) && FeatureNames.SequenceEqual(other.FeatureNames, StringComparer.Ordinal);

    public override string ToString() => $"{Column} ({Encoding}: {string.Join(", ", Vocabulary)})";
}
