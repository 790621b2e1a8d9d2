using System.Security.Cryptography;
using System.Text;

namespace Cascade.Monitoring.Alerts.Webhooks;

/// <summary>
/// How a receiver knows an alert came from Cascade and is fresh: <c>X-Cascade-Signature: sha256=HEX</c>, the
/// HMAC-SHA256 of <c>TIMESTAMP.BODY</c> under the endpoint's secret, with <c>X-Cascade-Timestamp</c> (Unix seconds).
/// Signing the timestamp with the body lets a receiver refuse replays of an old delivery (GitHub and Stripe sign the
/// same way).
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Cascade-Signature";
    public const string TimestampHeader = "X-Cascade-Timestamp";
    public const string EventIdHeader = "X-Cascade-Event-Id";

    /// <summary>The header value for <paramref name="body"/> sent at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>Whether <paramref name="signature"/> is right for the body and timestamp (constant-time), as a receiver checks it.</summary>
    public static bool Verify(string secret, long timestamp, ReadOnlySpan<byte> body, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
}
