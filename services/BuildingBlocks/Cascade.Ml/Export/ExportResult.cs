namespace Cascade.Ml.Export;

/// <summary>What an export wrote and how it was checked.</summary>
/// <param name="Path">The file written.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Trees">Trees exported.</param>
/// <param name="GoldenSamplesChecked">Golden samples the export was run on before it was written (ONNX); 0 when it cannot be run here (C).</param>
/// <param name="MaxDifference">The largest |export − evaluator| over those samples.</param>
public sealed record ExportResult(string Path, long Bytes, int Trees, int GoldenSamplesChecked, double MaxDifference);
