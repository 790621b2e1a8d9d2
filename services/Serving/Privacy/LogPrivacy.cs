namespace Cascade.Serving.Privacy;

/// <summary>
/// What the prediction log withholds of one served version's features: groups of positions in the feature vector,
/// each hashed or dropped (a numeric feature alone; a categorical column's encodings together, as the one value they
/// encode, since hashing each 0/1 of a one-hot encoding apart would give away which one is set). Immutable.
/// </summary>
public sealed class LogPrivacy
{
    private readonly bool[] _withheld;
    private readonly PrivacyHasher? _hasher;

    /// <summary>Nothing withheld: the model reads no sensitive column.</summary>
    public static LogPrivacy None { get; } = new([], 0, null);

    /// <param name="groups">The withheld groups; positions must lie below <paramref name="featureCount"/>.</param>
    /// <param name="featureCount">The model's feature count.</param>
    /// <param name="hasher">Hashes the groups whose treatment is <see cref="FeatureTreatment.Hash"/>; needed when there are such groups.</param>
    public LogPrivacy(IReadOnlyList<WithheldGroup> groups, int featureCount, PrivacyHasher? hasher)
    {
        // A hashed segment needs one as well: such a plan is always made with the catalog's hasher.
        if (hasher is null && groups.Any(g => g.Treatment == FeatureTreatment.Hash)) throw new ArgumentNullException(nameof(hasher), "Hashed groups need a hasher.");
        Groups = groups;
        _hasher = hasher;
        _withheld = new bool[featureCount];
        foreach (var group in groups)
        {
            foreach (var index in group.Indexes) _withheld[index] = true;
        }
    }

    /// <summary>The withheld groups, in the order the log lists them.</summary>
    public IReadOnlyList<WithheldGroup> Groups { get; }

    /// <summary>Whether nothing is withheld.</summary>
    public bool IsEmpty => Groups.Count == 0;

    /// <summary>
    /// What the log does with the version's segment label: kept, hashed (the column is sensitive) or dropped (its
    /// privacy is DROP, or not known yet). <see cref="FeatureTreatment.Keep"/> for a version without a segment column.
    /// </summary>
    public FeatureTreatment SegmentTreatment { get; init; }

    /// <summary>The segment column, whose name keys the hash of its labels; empty when the version has none.</summary>
    public string SegmentColumn { get; init; } = string.Empty;

    /// <summary><c>hash:</c> and the keyed hash of a segment label of a sensitive column.</summary>
    public string HashSegment(string label)
    {
        // A segment column has a few groups and every prediction of the version carries one: each label is hashed once
        // (an HMAC and two strings per logged prediction otherwise). Bounded: past it, a label is hashed every time.
        if (_segmentHashes.TryGetValue(label, out var known)) return known;
        var hash = Cascade.Ml.Artifacts.ModelSegment.HashPrefix + _hasher!.HashText(SegmentColumn, label);
        if (_segmentHashes.Count < MaxCachedSegmentHashes) _segmentHashes.TryAdd(label, hash);
        return hash;
    }

    private const int MaxCachedSegmentHashes = 256;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _segmentHashes = new(StringComparer.Ordinal);

    /// <summary>Whether the feature at <paramref name="index"/> is withheld (logged as NaN).</summary>
    public bool IsWithheld(int index) => index < _withheld.Length && _withheld[index];

    /// <summary>The hash of a group's values in <paramref name="features"/>; empty for a dropped group.</summary>
    public string HashOf(WithheldGroup group, ReadOnlySpan<float> features) =>
        group.Treatment == FeatureTreatment.Hash ? _hasher!.Hash(group.Name, features, group.Indexes) : string.Empty;
}

/// <summary>Features the log withholds as one value: a numeric feature, or a categorical column's encodings.</summary>
/// <param name="Name">The feature's name, or the categorical column's.</param>
/// <param name="Indexes">Their positions in the feature vector.</param>
/// <param name="Treatment"><see cref="FeatureTreatment.Hash"/> or <see cref="FeatureTreatment.Drop"/>.</param>
public sealed record WithheldGroup(string Name, int[] Indexes, FeatureTreatment Treatment);
