using System.Diagnostics.Metrics;

namespace Cascade.Serving.Domain;

/// <summary>Predictions by model, version and role, and predictions the log had to drop (its queue full), for <c>/metrics</c>.</summary>
internal static class ServingMetrics
{
    private static readonly Meter Meter = new("Cascade.Serving");

    private static readonly Counter<long> Predictions = Meter.CreateCounter<long>("cascade.serving.predictions", unit: "{prediction}", description: "Rows predicted, by model, version and role (champion, canary, shadow).");

    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>("cascade.serving.prediction_log.dropped", unit: "{prediction}", description: "Predictions answered but not logged because the log's queue was full (Monitoring does not see them).");

    // Named once: Predict is the hot path, and naming the role per call would allocate two strings per call.
    private static readonly string[] RoleNames = System.Enum.GetValues<PredictionRole>().Select(r => r.ToString().ToLowerInvariant()).ToArray();

    public static void Predicted(ServedModel served, PredictionRole role, int rows)
    {
        if (!Predictions.Enabled) return;
        Predictions.Add(rows, served.PredictionTags[(int)role]);
    }

    /// <summary>The tags of a version's predictions, one set per role: made once per loaded version, so counting boxes nothing.</summary>
    public static KeyValuePair<string, object?>[][] Tags(string model, int version)
    {
        object boxed = version;
        return RoleNames.Select(role => new[]
        {
            new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("version", boxed), new KeyValuePair<string, object?>("role", role),
        }).ToArray();
    }

    public static void DroppedFromLog(string model) => Dropped.Add(1, new KeyValuePair<string, object?>("model", model));
}
