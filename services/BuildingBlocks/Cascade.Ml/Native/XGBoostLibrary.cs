using System.Text.Json;

namespace Cascade.Ml.Native;

/// <summary>What the loaded libxgboost is: version and build options (CUDA or not).</summary>
public static class XGBoostLibrary
{
    private static readonly Lazy<(Version Version, bool Cuda, string BuildInfo)> Info = new(Read);

    /// <summary>The library's version, e.g. 1.7.4.</summary>
    public static Version Version => Info.Value.Version;

    /// <summary>Whether the library was built with CUDA (Debian's is not).</summary>
    public static bool HasCuda => Info.Value.Cuda;

    /// <summary>XGBuildInfo's JSON.</summary>
    public static string BuildInfo => Info.Value.BuildInfo;

    private static (Version, bool, string) Read()
    {
        XGBoostNative.EnsureLoaded();
        XGBoostNative.XGBoostVersion(out var major, out var minor, out var patch);
        XGBoostCall.Check(XGBoostNative.XGBuildInfo(out var pointer), nameof(XGBoostNative.XGBuildInfo));
        var json = XGBoostCall.ReadString(pointer);
        using var document = JsonDocument.Parse(json);
        var cuda = document.RootElement.TryGetProperty("USE_CUDA", out var useCuda) && useCuda.ValueKind == JsonValueKind.True;
        return (new Version(major, minor, patch), cuda, json);
    }
}
