using Google.Protobuf.WellKnownTypes;

namespace Cascade.Cli.Specs.Wire;

/// <summary>Durations between specs and protos: zero in a spec is "off", which the wire says by leaving the field unset.</summary>
internal static class WireDurations
{
    public static Duration? ToProto(TimeSpan value) => value == TimeSpan.Zero ? null : Duration.FromTimeSpan(value);

    public static TimeSpan FromProto(Duration? value) => value?.ToTimeSpan() ?? TimeSpan.Zero;
}
