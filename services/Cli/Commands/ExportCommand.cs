using System.CommandLine;
using Cascade.Ml.Export;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade export</c>: a model artifact's trees as a portable file: ONNX for ONNX Runtime, or one C99 source file
/// for devices without .NET. The artifact is verified as <c>cascade predict</c> verifies it.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Model artifact directory (from cascade train or cascade models import of an XGBoost model).", Required = true };
        var format = new Option<string>("--format") { Description = "onnx (ai.onnx.ml TreeEnsembleRegressor) or c (one C99 file, only <math.h>).", Required = true };
        format.AcceptOnlyFromAmong("onnx", "c");
        var output = new Option<FileInfo>("--out") { Description = "The file to write (e.g. model.onnx, model.c).", Required = true };
        var command = new Command("export", "Export a model artifact's trees as ONNX or as C source.") { model, format, output };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var chosen = parse.GetValue(format) == "c" ? ExportFormat.C : ExportFormat.Onnx;
            ExportResult result;
            try
            {
                result = ModelExporter.Export(parse.GetValue(model)!.FullName, chosen, parse.GetValue(output)!.FullName);
            }
            catch (ModelExportException ex)
            {
                // A model the format cannot express is the user's to fix, like a bad argument: one line, exit code 1.
                throw new ArgumentException(ex.Message, ex);
            }
            AnsiConsole.MarkupLineInterpolated($"{result.Trees} trees → {result.Path} ({result.Bytes:N0} bytes)");
            // Plain lines (no markup, no wrapping at the console's width): scripts read them too.
            Console.Out.WriteLine(chosen == ExportFormat.Onnx
                ? $"checked: ONNX Runtime agrees with the evaluator on {result.GoldenSamplesChecked} golden samples (max |difference| {result.MaxDifference:G3})"
                : "compile: gcc -std=c99 -O2 -c " + result.Path + "   (not with -ffast-math; link with -lm)");
        }));
        return command;
    }
}
