namespace Cascade.Hosting.Security;

/// <summary>
/// What a principal may do. The first five are cumulative (each may do everything the one before may); <see cref="Service"/>
/// stands apart: the identity one Cascade process uses when it calls another.
/// </summary>
public enum CascadeRole
{
    /// <summary>Get, list and watch.</summary>
    Reader,
    /// <summary>Reader + Predict, Explain, ModelInfer.</summary>
    Predictor,
    /// <summary>Predictor + Ingest and labels.</summary>
    Producer,
    /// <summary>Producer + promote, roll back, traffic policy, trigger and cancel jobs, acknowledge alerts.</summary>
    Operator,
    /// <summary>Operator + datasets, feature views, training policies, keys, erasure — and what services may do.</summary>
    Admin,
    /// <summary>The calls services make of each other (register a version, download an artifact, job status), plus reading.</summary>
    Service,
}

/// <summary>Role names as they appear in keys, tokens, settings and the audit log (lower case).</summary>
public static class CascadeRoles
{
    /// <summary>Every role, by its name.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<CascadeRole>().Select(Name).ToArray();

    /// <summary>The name of <paramref name="role"/>: <c>reader</c>, <c>predictor</c>, …</summary>
    public static string Name(CascadeRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Parses a role name (case-insensitive).</summary>
    public static bool TryParse(string? name, out CascadeRole role) =>
        Enum.TryParse(name, ignoreCase: true, out role) && Enum.IsDefined(role) && !int.TryParse(name, out _);

    /// <summary>Whether a principal with <paramref name="held"/> may make a call that needs <paramref name="required"/>.</summary>
    /// <remarks>
    /// Admin may do anything, including the service calls (so an administrator can import a model by hand). A service
    /// identity may read, and make the calls the table marks for services; it cannot predict, ingest or operate.
    /// </remarks>
    public static bool Satisfies(CascadeRole held, AccessRule rule) => held switch
    {
        CascadeRole.Admin => true,
        CascadeRole.Service => rule.Required is CascadeRole.Reader or CascadeRole.Service || rule.Services,
        _ => rule.Required != CascadeRole.Service && held >= rule.Required,
    };
}
