namespace Cascade.Hosting.Security;

/// <summary>
/// The append-only record of who did what: every mutating call (allowed or refused), every refused artifact, every
/// erasure. Entries are written to the process's own audit log first and relayed to the audit topic from there
/// (an outbox), so an entry survives a broker outage and is published once the broker is back.
/// </summary>
public interface IAuditTrail
{
    /// <summary>Appends <paramref name="entry"/> durably (returns once it is on disk); publishing follows asynchronously.</summary>
    ValueTask RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default);
}

/// <summary>One audited action.</summary>
/// <param name="Principal">Who: the authenticated name (key name, token subject, service identity), or <c>anonymous</c> when authentication is off.</param>
/// <param name="Role">The principal's role (<c>none</c> when unauthenticated).</param>
/// <param name="Action">What: a gRPC method's full name (<c>cascade.registry.v1.Registry/PromoteModelVersion</c>) or a named action (<c>artifact.refused</c>, <c>entity.erased</c>).</param>
/// <param name="Target">On what: a model, dataset, entity or job (empty when the action has none).</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Detail">Why (a refusal's reason, an error's status), never a secret.</param>
public sealed record AuditEntry(string Principal, string Role, string Action, string Target, AuditOutcome Outcome, string Detail)
{
    /// <summary>When it happened (UTC).</summary>
    public DateTimeOffset At { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>How an audited action ended.</summary>
public enum AuditOutcome
{
    /// <summary>Authorized and completed.</summary>
    Succeeded,
    /// <summary>Authorized, then failed (the handler's status is in the detail).</summary>
    Failed,
    /// <summary>No credentials, or credentials that are not valid (UNAUTHENTICATED, HTTP 401).</summary>
    Unauthenticated,
    /// <summary>Valid credentials without the role or outside the key's models (PERMISSION_DENIED, HTTP 403).</summary>
    Denied,
    /// <summary>Refused by a safety check rather than by permissions (an unsigned or tampered artifact).</summary>
    Refused,
}
