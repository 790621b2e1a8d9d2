using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;

namespace Cascade.Hosting.Security;

/// <summary>
/// Authorizes every gRPC call (and so every gRPC-Web call and JSON-transcoded REST route, which run the same
/// interceptors) by <see cref="AccessRules"/>, before the handler sees it; applies rate limits; and audits the
/// outcome. Streams are checked message by message where the rule scopes models (a bidi Predict stream may not
/// switch to a model outside the key's scope half-way).
/// </summary>
public sealed class AccessInterceptor(AccessControl access) : Interceptor
{
    private AccessControl Access => access;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var (rule, targets) = await AuthorizeAsync(context, request);
        return await RunAsync(context, rule, targets, () => continuation(request, context));
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var (rule, targets) = await AuthorizeAsync(context, request);
        await RunAsync(context, rule, targets, async () => { await continuation(request, responseStream, context); return true; });
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var (rule, targets) = await AuthorizeAsync(context, request: null);
        return await RunAsync(context, rule, targets, () => continuation(new CheckedReader<TRequest>(requestStream, this, context, rule), context));
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var (rule, targets) = await AuthorizeAsync(context, request: null);
        await RunAsync(context, rule, targets, async () => { await continuation(new CheckedReader<TRequest>(requestStream, this, context, rule), responseStream, context); return true; });
    }

    private async Task<(AccessRule Rule, IReadOnlyList<string> Targets)> AuthorizeAsync(ServerCallContext context, object? request)
    {
        var rule = AccessRules.For(context.Method);
        var targets = RequestTargets.Read(request, rule.TargetField);
        var http = context.GetHttpContext();
        // A stream's messages are checked as they arrive (CheckedReader); its opening is checked without a model.
        var scoped = request is null ? rule with { ModelScoped = false } : rule;
        var decision = access.Decide(http, http.User, context.Method, scoped, targets);
        if (decision.IsAllowed && request is not null) decision = access.Limit(http.User, context.Method);
        if (!decision.IsAllowed)
        {
            await access.AuditAsync(http.User, context.Method, rule, targets, decision.Outcome, decision.Message);
            throw Refusal(decision);
        }
        return (rule, targets);
    }

    private async Task<T> RunAsync<T>(ServerCallContext context, AccessRule rule, IReadOnlyList<string> targets, Func<Task<T>> call)
    {
        var user = context.GetHttpContext().User;
        try
        {
            var result = await call();
            await access.AuditAsync(user, context.Method, rule, targets, AuditOutcome.Succeeded, string.Empty);
            return result;
        }
        catch (AccessRefusedException)
        {
            // A stream message refused half-way: already audited where it was refused.
            throw;
        }
        catch (RpcException ex)
        {
            var outcome = ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated ? AuditOutcome.Denied : AuditOutcome.Failed;
            await access.AuditAsync(user, context.Method, rule, targets, outcome, $"{ex.StatusCode}: {ex.Status.Detail}");
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await access.AuditAsync(user, context.Method, rule, targets, AuditOutcome.Failed, ex.GetType().Name);
            throw;
        }
    }

    /// <summary>The exception a refused call ends with (a rate limit carries a <c>retry-after</c> hint in its trailers).</summary>
    internal static AccessRefusedException Refusal(AccessDecision decision)
    {
        var trailers = new Metadata();
        if (decision.Status == StatusCode.ResourceExhausted && decision.Message.Split("retry after ") is [_, var after])
        {
            trailers.Add("retry-after", after.Split(' ')[0]);
        }
        return new AccessRefusedException(new Status(decision.Status, decision.Message), trailers);
    }

    /// <summary>A call refused by access control (so it is audited once, where it was refused).</summary>
    internal sealed class AccessRefusedException(Status status, Metadata trailers) : RpcException(status, trailers);

    /// <summary>A request stream whose every message is checked against the key's models and the rate limit.</summary>
    private sealed class CheckedReader<T>(IAsyncStreamReader<T> inner, AccessInterceptor owner, ServerCallContext context, AccessRule rule) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken)) return false;
            var http = context.GetHttpContext();
            var targets = RequestTargets.Read(inner.Current, rule.TargetField);
            var decision = rule.ModelScoped ? owner.Access.Decide(http, http.User, context.Method, rule, targets) : AccessDecision.Allowed;
            if (decision.IsAllowed) decision = owner.Access.Limit(http.User, context.Method);
            if (!decision.IsAllowed)
            {
                await owner.Access.AuditAsync(http.User, context.Method, rule, targets, decision.Outcome, decision.Message);
                throw Refusal(decision);
            }
            return true;
        }
    }
}
