using Cascade.Contracts.Monitoring.V1;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cascade.Monitoring.Grpc;

/// <summary>GetDriftHistory's request checks and its mapping from stored series to the wire.</summary>
internal static class DriftHistoryRequests
{
    public const int DefaultLimit = 500, MaxLimit = 10_000;

    /// <summary>The query a request asks for; InvalidArgument, naming the field, when it cannot be answered.</summary>
    public static DriftHistoryQuery Parse(GetDriftHistoryRequest request)
    {
        if (string.IsNullOrEmpty(request.Model)) throw Invalid("model is required.");
        if (request.Version < 0) throw Invalid($"version must be 0 (every version) or a version number; got {request.Version}.");
        if (request.Limit is < 0 or > MaxLimit) throw Invalid($"limit must be between 0 (the default, {DefaultLimit}) and {MaxLimit}; got {request.Limit}.");
        var from = Time(request.From, "from");
        var to = Time(request.To, "to");
        if (from is { } f && to is { } t && f > t) throw Invalid($"from ({f:O}) is after to ({t:O}): the time range is empty.");
        if (request.Features.Any(string.IsNullOrEmpty)) throw Invalid("features cannot contain an empty name (the prediction's series is always included).");
        return new DriftHistoryQuery(request.Model, request.Version, from, to, request.Limit == 0 ? DefaultLimit : request.Limit, request.Features.Distinct(StringComparer.Ordinal).ToArray());
    }

    public static DriftHistory ToMessage(string model, IReadOnlyList<StoredDriftSeries> series)
    {
        var history = new DriftHistory { Model = model };
        foreach (var stored in series)
        {
            var t = stored.Definition.Thresholds;
            history.Series.Add(new DriftSeries
            {
                Version = stored.Version,
                Feature = stored.Definition.Feature,
                IsPrediction = stored.Definition.IsPrediction,
                Categorical = stored.Definition.Categorical,
                Thresholds = new DriftThresholds
                {
                    PsiWarning = t.PsiWarning, PsiCritical = t.PsiCritical,
                    KsPValueWarning = t.KsPValueWarning, KsPValueCritical = t.KsPValueCritical,
                    JensenShannonWarning = t.JensenShannonWarning, JensenShannonCritical = t.JensenShannonCritical,
                    WassersteinWarning = t.WassersteinWarning, WassersteinCritical = t.WassersteinCritical,
                    ChiSquaredPValueWarning = t.ChiSquaredPValueWarning, ChiSquaredPValueCritical = t.ChiSquaredPValueCritical,
                    Calibrated = t.Calibrated,
                },
                Points =
                {
                    stored.Points.Select(p => new DriftPoint
                    {
                        WindowEnd = Timestamp.FromDateTimeOffset(p.WindowEnd),
                        EndOffset = p.EndOffset,
                        Count = p.Count,
                        Psi = p.Psi,
                        KsStatistic = p.KsStatistic,
                        KsPValue = p.KsPValue,
                        JensenShannon = p.JensenShannon,
                        Wasserstein = p.Wasserstein,
                        ChiSquaredPValue = p.ChiSquaredPValue,
                        Severity = AlertMapping.ToSeverity(p.Severity),
                    }),
                },
            });
        }
        return history;
    }

    private static DateTimeOffset? Time(Timestamp? timestamp, string field)
    {
        if (timestamp is null) return null;
        // Timestamp's valid range is years 1–9999 with nanos in [0, 1e9); anything else cannot be a window's end.
        if (timestamp.Nanos is < 0 or >= 1_000_000_000 || timestamp.Seconds < -62_135_596_800 || timestamp.Seconds > 253_402_300_799)
        {
            throw Invalid($"{field} is not a valid timestamp (seconds {timestamp.Seconds}, nanos {timestamp.Nanos}).");
        }
        return timestamp.ToDateTimeOffset();
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
