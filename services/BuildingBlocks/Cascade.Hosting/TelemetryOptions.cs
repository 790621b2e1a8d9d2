namespace Cascade.Hosting;

/// <summary>
/// Tracing (section <c>Cascade:Telemetry</c>). Traces are exported over OTLP when an endpoint is set here or in the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable; without one, no span is even created, so tracing costs nothing.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>OTLP endpoint (gRPC, e.g. <c>http://127.0.0.1:4317</c>) that receives traces.</summary>
    /// <value>The default value is null: no tracing unless <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</value>
    [System.ComponentModel.DataAnnotations.Url]
    public string? OtlpEndpoint { get; set; }

    /// <summary>The name traces carry as <c>service.name</c>.</summary>
    /// <value>The default value is null: the process's own name (<c>cascade-serving</c>, <c>cascade-host</c> …).</value>
    public string? ServiceName { get; set; }

    /// <summary>The endpoint traces go to, if any: this setting, else the standard environment variable.</summary>
    public string? ResolveEndpoint() => OtlpEndpoint ?? Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT");
}
