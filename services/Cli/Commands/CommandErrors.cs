using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Native;

namespace Cascade.Cli.Commands;

/// <summary>Turns the errors a user can fix into one clear line on stderr and exit code 1 (no stack trace).</summary>
internal static class CommandErrors
{
    public static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or CsvFormatException or ArtifactException or XGBoostException or IOException or DllNotFoundException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }
}
