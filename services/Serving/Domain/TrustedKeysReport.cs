using Cascade.Ml.Signing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Serving.Domain;

/// <summary>Logs at start which keys Serving trusts, so an operator can match a refusal's key id against them.</summary>
internal sealed partial class TrustedKeysReport(ArtifactTrust trust, ILogger<TrustedKeysReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogTrust(logger, trust.Keys.Count, string.Join(", ", trust.Keys.Ids), trust.RequireSignature);
        if (!trust.RequireSignature) LogUnsignedAllowed(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving loads models signed by {Count} trusted key(s): {KeyIds}; signature required: {Required}")]
    private static partial void LogTrust(ILogger logger, int count, string keyIds, bool required);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cascade:Signing:RequireSignature is false: unsigned models are served. Turn it back on once every served version is signed.")]
    private static partial void LogUnsignedAllowed(ILogger logger);
}
