using System.Text.Json;

namespace Cascade.Ml.Onnx;

/// <summary>
/// Which execution provider ran one node of a graph, as ONNX Runtime's profile of a run records it. A provider that
/// has no kernel for an operator leaves its node to the CPU provider without a word (the CUDA provider has none for
/// the <c>ai.onnx.ml</c> operators, for one): reading the profile is how a caller learns where a graph really ran.
/// </summary>
/// <param name="Node">The node's name in the graph (or the name ONNX Runtime gave a node it inserted, such as a copy to the GPU).</param>
/// <param name="Operator">Its operator, e.g. <c>Gather</c>, <c>MemcpyFromHost</c>.</param>
/// <param name="Provider">The provider that ran it, e.g. <c>CUDAExecutionProvider</c>.</param>
public sealed record NodePlacement(string Node, string Operator, string Provider)
{
    private const string KernelSuffix = "_kernel_time";

    /// <summary>The nodes of a profile file (Chrome trace JSON: an array of events; a node's kernel event is <c>"cat": "Node"</c>, named <c>&lt;node&gt;_kernel_time</c>, with <c>op_name</c> and <c>provider</c> in its args).</summary>
    /// <exception cref="JsonException">Not a JSON array of events.</exception>
    public static IReadOnlyList<NodePlacement> FromProfile(string json)
    {
        using var document = JsonDocument.Parse(json);
        var placements = new List<NodePlacement>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("cat", out var category) || category.GetString() != "Node"
                || !item.TryGetProperty("name", out var name) || name.GetString() is not { } eventName || !eventName.EndsWith(KernelSuffix, StringComparison.Ordinal)
                || !item.TryGetProperty("args", out var args) || args.ValueKind != JsonValueKind.Object
                || !args.TryGetProperty("provider", out var provider) || provider.GetString() is not { Length: > 0 } providerName)
            {
                continue;
            }
            var node = eventName[..^KernelSuffix.Length];
            if (seen.Add(node))
            {
                var op = args.TryGetProperty("op_name", out var opName) ? opName.GetString() ?? string.Empty : string.Empty;
                placements.Add(new NodePlacement(node, op, providerName));
            }
        }
        return placements;
    }
}
