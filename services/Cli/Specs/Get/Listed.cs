using Cascade.Cli.Specs.Model;

namespace Cascade.Cli.Specs.Get;

/// <summary>
/// One object a host holds: its spec (null for a model, which is not declared but trained) and facts the system
/// filled in (versions, counts), named in snake case.
/// </summary>
internal sealed record Listed(string Kind, string Name, SpecObject? Object, IReadOnlyList<KeyValuePair<string, string>> Facts);
