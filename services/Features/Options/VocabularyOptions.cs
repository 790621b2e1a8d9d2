using System.ComponentModel.DataAnnotations;

namespace Cascade.Features.Options;

/// <summary>How Features reads a dataset's records when a view is applied: <c>top_k</c> vocabularies and the type of categorical columns.</summary>
public sealed class VocabularyOptions
{
    /// <summary>Configuration section name: <c>Cascade__Features__Vocabulary__MaxRecords</c> ….</summary>
    public const string SectionName = "Cascade:Features:Vocabulary";

    /// <summary>
    /// Most records read to count a <c>top_k</c> vocabulary, from the beginning of the data topic. The scan holds one
    /// counter per distinct value and blocks the apply call while it runs: on the embedded log a million records take
    /// about 5 s (measured here: 200,000 in 0.9 s), and they estimate any category's share to within ±0.1%, far finer
    /// than what decides a top K.
    /// </summary>
    /// <value>The default value is 1,000,000.</value>
    [Range(1, 100_000_000)]
    public int MaxRecords { get; set; } = 1_000_000;

    /// <summary>
    /// Records read when every vocabulary is listed, only to check that the categorical columns hold STRING, INT64 or
    /// BOOL values (Features holds no dataset schemas; the records carry their types). A wrong type shows in the first record.
    /// </summary>
    /// <value>The default value is 1,000.</value>
    [Range(1, 100_000_000)]
    public int TypeCheckRecords { get; set; } = 1_000;

    /// <summary>
    /// Longest a scan may take before the apply is refused (UNAVAILABLE): a broker that does not hand the scan its
    /// partitions must not hold the call forever. Generous because a consumer group's first join on Kafka takes seconds.
    /// </summary>
    /// <value>The default value is 2 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);
}
