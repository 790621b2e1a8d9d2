namespace Cascade.Cli.Specs.Model;

/// <summary>Where a document of a spec file starts: a file and a 1-based line and column.</summary>
internal sealed record SpecLocation(string File, long Line, long Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>What one kind of object asks for: the <c>spec:</c> section of a document, as Cascade's own types.</summary>
internal abstract record SpecBody
{
    public abstract SpecKind Kind { get; }
}

/// <summary>One declared object: <c>metadata.name</c> and its spec, with where it was read from (none when it came from a host).</summary>
internal sealed record SpecObject(string Name, SpecBody Spec, SpecLocation? Location = null)
{
    public SpecKind Kind => Spec.Kind;

    /// <summary>How the object is named to a user: <c>Dataset/demo-sensors</c>.</summary>
    public string Id => $"{Kind}/{Name}";
}
