namespace Cascade.Fuzz.Targets;

/// <summary>
/// A parser of untrusted bytes under fuzzing: what it does with one input, and the exceptions its contract documents
/// for input it refuses. A refusal is the parser working; any other exception (or a failed oracle, or a process that
/// dies) is a finding: a crash to afl-fuzz, a failure to the corpus replay test.
/// </summary>
/// <param name="Name">The name <c>run.sh</c> and the corpus folder use.</param>
/// <param name="Parses">What the target feeds the bytes to, for reports.</param>
/// <param name="Instrument">The assemblies whose code the target exercises, instrumented by <c>sharpfuzz</c> for coverage.</param>
/// <param name="Refusals">The documented validation exceptions, matched by exact type (a subclass is not documented by its base).</param>
/// <param name="Body">Runs one input.</param>
public sealed record FuzzTarget(string Name, string Parses, IReadOnlyList<string> Instrument, IReadOnlyList<Type> Refusals, Action<byte[]> Body)
{
    /// <summary>Runs one input; true when the parser accepted it, false when it refused it with a documented exception.</summary>
    /// <exception cref="Exception">Anything else the parser threw, or a <see cref="FuzzOracleException"/>: a finding.</exception>
    public bool Run(byte[] input)
    {
        try
        {
            Body(input);
            return true;
        }
        catch (Exception ex) when (IsRefusal(ex))
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="exception"/> is one of the documented refusals.</summary>
    public bool IsRefusal(Exception exception) => Refusals.Contains(exception.GetType());
}

/// <summary>An input the parser accepted but handled wrongly (a round trip that does not return the same value).</summary>
public sealed class FuzzOracleException(string message) : Exception(message);
