using System.Reflection;
using System.Runtime.InteropServices;

namespace Cascade.EventLog.Kafka;

/// <summary>
/// Points Confluent.Kafka at Debian's librdkafka (package librdkafka1): the NuGet redist with its own native
/// library is not obtainable here, and the library's own <c>Library.Load(path)</c> alone does not work.
/// </summary>
internal static class KafkaNative
{
    private static int _registered;

    public static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        var file = name switch
        {
            "librdkafka" => "librdkafka.so.1",
            "libdl" => "libdl.so.2",
            _ => null,
        };
        if (file is null) return IntPtr.Zero;
        if (NativeLibrary.TryLoad(file, assembly, path, out var handle)) return handle;
        throw new DllNotFoundException($"{file} was not found: install Debian's librdkafka1 (apt-get install -y librdkafka1), or run ./cascade infra up.");
    }
}
