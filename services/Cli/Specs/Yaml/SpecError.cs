using Cascade.Cli.Specs.Model;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>One thing wrong in a spec file, where it is and what to do about it.</summary>
internal sealed record SpecError(SpecLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>A path given to apply that is no spec file: missing, unreadable, or a directory without any.</summary>
internal sealed class SpecPathException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Spec files that cannot be read: every error found, each with its file, line and column.</summary>
internal sealed class SpecFileException(IReadOnlyList<SpecError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<SpecError> Errors { get; } = errors;
}
