using Grpc.Core;

namespace Cascade.Hosting.Security;

/// <summary>Whether a call may proceed; when not, the status the caller gets and what the audit log records.</summary>
public readonly record struct AccessDecision(StatusCode Status, string Message, AuditOutcome Outcome)
{
    /// <summary>The call may proceed.</summary>
    public static AccessDecision Allowed { get; } = new(StatusCode.OK, string.Empty, AuditOutcome.Succeeded);

    /// <summary>Whether the call may proceed.</summary>
    public bool IsAllowed => Status == StatusCode.OK;

    /// <summary>The HTTP status a REST caller gets for a refusal (as gRPC's HTTP mapping and JSON transcoding give it).</summary>
    public int HttpStatus => Status switch
    {
        StatusCode.Unauthenticated => 401,
        StatusCode.PermissionDenied => 403,
        StatusCode.ResourceExhausted => 429,
        _ => 200,
    };
}
