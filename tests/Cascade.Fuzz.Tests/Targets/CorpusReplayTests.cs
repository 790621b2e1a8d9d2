using Cascade.Fuzz.Targets;

namespace Cascade.Fuzz.Tests.Targets;

/// <summary>
/// Every input afl-fuzz was seeded with or found (new coverage, and every crash ever found, kept as <c>crash-*</c>)
/// goes through its parser again: each is accepted or refused with the exception the parser documents, never anything else.
/// </summary>
public class CorpusReplayTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.All.Keys);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_input_is_accepted_or_refused_with_a_documented_exception(string name)
    {
        var target = FuzzTargets.All[name];
        var files = Corpus.Files(name);
        files.Should().NotBeEmpty($"the {name} target has a committed corpus");
        var failures = new List<string>();
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception ex)
            {
                failures.Add($"{Path.GetFileName(file)}: {ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}");
            }
        }
        failures.Should().BeEmpty($"the {name} parser may only throw {string.Join(" or ", target.Refusals.Select(t => t.Name))}");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Some_seed_of_every_target_is_accepted(string name)
    {
        // A target that refuses every input would pass the replay while testing nothing past its first check.
        var seeds = Corpus.Files(name).Where(f => Path.GetFileName(f).StartsWith("seed-", StringComparison.Ordinal)).ToArray();
        seeds.Should().NotBeEmpty();
        seeds.Count(f => FuzzTargets.All[name].Run(File.ReadAllBytes(f))).Should().BeGreaterThan(0);
    }

    [Fact]
    public void Only_the_documented_exception_types_count_as_refusals()
    {
        var target = new FuzzTarget("t", "a test", [], [typeof(ArgumentException)], input => throw (input[0] == 0 ? new ArgumentException("refused") : new ArgumentOutOfRangeException("index")));

        target.Run([0]).Should().BeFalse();
        var undocumented = () => target.Run([1]);
        undocumented.Should().Throw<ArgumentOutOfRangeException>("a subclass of a documented exception is not documented");
    }
}
