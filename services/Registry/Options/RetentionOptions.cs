using System.ComponentModel.DataAnnotations;

namespace Cascade.Registry.Options;

/// <summary>Which model versions keep their artifacts, and how often the collector deletes the others.</summary>
/// <remarks>
/// A version's artifact is kept while any of these holds: it is champion or challenger, it is the latest version,
/// it is among the newest <see cref="KeepNewest"/> versions of its model, it is younger than
/// <see cref="KeepYoungerThan"/>, or a kept version (of any model) has the same artifact.
/// </remarks>
public sealed class RetentionOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Cascade:Registry:Retention";

    /// <summary>How many of each model's newest versions keep their artifacts, whatever their age.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 100_000)]
    public int KeepNewest { get; set; } = 10;

    /// <summary>Versions younger than this keep their artifacts, however many newer versions there are.</summary>
    /// <value>The default value is 7 days.</value>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan KeepYoungerThan { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the collector runs; zero turns it off (a pass can still be run on demand).</summary>
    /// <value>The default value is 10 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Rules the annotations cannot state.</summary>
    internal static IEnumerable<string> Rules(RetentionOptions options)
    {
        if (options.Interval > TimeSpan.Zero && options.Interval < TimeSpan.FromSeconds(1))
        {
            yield return $"Interval: {options.Interval} is shorter than 1 second; use 0 to turn the collector off.";
        }
    }

    /// <summary>The policy in words, for audit reasons and logs.</summary>
    public string Describe() => $"retention policy: keep champion, challenger, latest, the newest {KeepNewest} versions and versions younger than {KeepYoungerThan}";
}
