using System.Reflection;
using System.Runtime.InteropServices;

namespace Cascade.EventLog.Kafka;

/// <summary>
/// Makes Confluent.Kafka load the librdkafka of its own package (librdkafka.redist) on linux-x64. That package's
/// default <c>librdkafka.so</c> needs <c>libsasl2.so.3</c>, which Debian 12 lacks (it has .so.2); Confluent.Kafka then
/// falls back on its own, but through a search that takes any <c>librdkafka.so</c> the system has first (Debian's
/// librdkafka-dev: 2.0.2, older than the client). The package's <c>centos8-librdkafka.so</c> links only glibc, so
/// every name Confluent.Kafka asks for is mapped to that one. Other platforms keep Confluent.Kafka's own choice.
/// </summary>
internal static class KafkaNative
{
    private const string LinuxX64Library = "centos8-librdkafka.so";
    private static int _registered;

    public static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name is not ("librdkafka" or "centos8-librdkafka")) return IntPtr.Zero;
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return IntPtr.Zero;
        // The host knows where the package's native files were put (runtimes/linux-x64/native/ of a portable build
        // or publish, the application folder of a linux-x64 one), and probes there for a bare file name.
        if (NativeLibrary.TryLoad(LinuxX64Library, assembly, path, out var handle)) return handle;
        // Loaded without the application's deps.json (a plugin loader, a test host started elsewhere): beside the client.
        var beside = Path.Combine(Path.GetDirectoryName(assembly.Location) ?? AppContext.BaseDirectory, "runtimes", "linux-x64", "native", LinuxX64Library);
        if (File.Exists(beside) && NativeLibrary.TryLoad(beside, out handle)) return handle;
        throw new DllNotFoundException(
            $"{LinuxX64Library} of the librdkafka.redist package was found neither through the application's deps.json nor at {beside}: " +
            "build or publish the application with its package references (it is part of the build output).");
    }
}
