namespace Cascade.Hosting.Security;

/// <summary>Who may call one method, and how it is audited.</summary>
/// <param name="Required">The least role that may call it (<see cref="CascadeRole.Service"/>: only services and admins).</param>
/// <param name="Kind">Whether it reads, writes data, or changes the platform (which decides what the audit log records).</param>
/// <param name="TargetField">The request field naming what the call acts on (a model, dataset, job or alert), for the audit log; empty when none.</param>
/// <param name="ModelScoped">Whether <paramref name="TargetField"/> names a model, so a key limited to some models is checked against it.</param>
/// <param name="Services">Whether service identities may call it too (a read they need is always allowed).</param>
public sealed record AccessRule(CascadeRole Required, CallKind Kind, string TargetField = "", bool ModelScoped = false, bool Services = false)
{
    /// <summary>Calls anyone may make, even when authentication is on: health, liveness, reflection.</summary>
    public static AccessRule Open { get; } = new(CascadeRole.Reader, CallKind.Open);
}

/// <summary>What a call does, for authorization and audit.</summary>
public enum CallKind
{
    /// <summary>Needs no credentials (probes, reflection).</summary>
    Open,
    /// <summary>Reads; refusals are counted, not audited (a flood of refused reads must not flood the audit log).</summary>
    Read,
    /// <summary>Writes data (ingest, labels): the event log holds every accepted record; refusals are audited.</summary>
    Data,
    /// <summary>Changes the platform (promote, policies, datasets, keys): audited whether allowed or refused.</summary>
    Mutation,
}
