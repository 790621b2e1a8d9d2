using System.Diagnostics;

namespace Cascade.Ml.Tests.Export;

/// <summary>
/// An exported C file compiled with gcc (<c>-std=c99 -O2 -Wall -Werror</c>) beside a small test driver that reads
/// float32 rows from one file and writes the outputs to another, so tests can compare it bit for bit.
/// </summary>
internal sealed class CompiledC
{
    public const string Gcc = "/usr/bin/gcc";

    // The driver is the test's code, not the export's: the export itself may include nothing but <math.h>.
    private const string Driver = """
        #include <stdio.h>
        #include <stdlib.h>

        int cascade_model_features(void);
        int cascade_model_outputs(void);
        void cascade_model_predict(const float *row, float *out);

        int main(int argc, char **argv)
        {
            int features = cascade_model_features(), outputs = cascade_model_outputs();
            float *row = malloc(sizeof(float) * (size_t)features), *out = malloc(sizeof(float) * (size_t)outputs);
            FILE *in = fopen(argv[1], "rb"), *result = fopen(argv[2], "wb");
            if (argc != 3 || !in || !result || !row || !out) return 2;
            while (fread(row, sizeof(float), (size_t)features, in) == (size_t)features) {
                cascade_model_predict(row, out);
                fwrite(out, sizeof(float), (size_t)outputs, result);
            }
            printf("%d %d\n", features, outputs);
            fclose(in);
            fclose(result);
            return 0;
        }
        """;

    private readonly string _executable;

    private CompiledC(string executable) => _executable = executable;

    /// <summary>Compiles <paramref name="source"/> with the driver; fails the test with gcc's messages if it does not compile cleanly.</summary>
    public static CompiledC Build(string source, string workDirectory)
    {
        File.Exists(Gcc).Should().BeTrue("the C export is checked with gcc (test.sh installs Debian's gcc)");
        var driver = Path.Combine(workDirectory, "driver.c");
        File.WriteAllText(driver, Driver);
        var executable = Path.ChangeExtension(source, ".bin");
        var (exit, _, errors) = Run(Gcc, ["-std=c99", "-O2", "-Wall", "-Werror", "-pedantic", source, driver, "-lm", "-o", executable]);
        exit.Should().Be(0, $"the export compiles cleanly with gcc -std=c99 -O2 -Wall -Werror -pedantic:\n{errors}");
        return new CompiledC(executable);
    }

    /// <summary>Runs the compiled model on row-major <paramref name="rows"/>; returns (features, outputs) it declares and its outputs.</summary>
    public (int Features, int Outputs, float[] Values) Predict(float[] rows)
    {
        var input = _executable + ".rows";
        var output = _executable + ".out";
        File.WriteAllBytes(input, System.Runtime.InteropServices.MemoryMarshal.AsBytes(rows.AsSpan()).ToArray());
        var (exit, stdout, stderr) = Run(_executable, [input, output]);
        exit.Should().Be(0, stderr);
        var declared = stdout.Trim().Split(' ').Select(int.Parse).ToArray();
        var bytes = File.ReadAllBytes(output);
        return (declared[0], declared[1], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray());
    }

    private static (int Exit, string Output, string Error) Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(TimeSpan.FromMinutes(2)).Should().BeTrue($"{program} finishes");
        return (process.ExitCode, output, error.Result);
    }
}
