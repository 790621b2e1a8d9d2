using System.Text;

namespace Cascade.Ml.Tests.Fixtures;

/// <summary>
/// Small ONNX models written as protobuf bytes by hand (field numbers from onnx.proto), so the scorer's unit tests
/// need neither python nor a file: a logistic regression, a softmax classifier with a label output, and graphs
/// Cascade must refuse.
/// </summary>
internal static class OnnxGraphs
{
    private const int Float = 1;
    private const int Int64 = 7;
    private const int Double = 11;

    /// <summary>Y[N, 1] = Sigmoid(X[N, F] · W + b).</summary>
    public static byte[] Logistic(float[] weights, float bias, bool symbolicFeatures = false) => Model(Graph(
        [Node("MatMul", ["X", "W"], ["XW"]), Node("Add", ["XW", "B"], ["Z"]), Node("Sigmoid", ["Z"], ["Y"])],
        [Tensor("W", [weights.Length, 1], weights), Tensor("B", [1], [bias])],
        [ValueInfo("X", Float, ["N", symbolicFeatures ? "F" : weights.Length])],
        [ValueInfo("Y", Float, ["N", 1])]));

    /// <summary>Y[N] = X[N, F] · w (a rank-1 output).</summary>
    public static byte[] Linear(float[] weights) => Model(Graph(
        [Node("MatMul", ["X", "W"], ["Y"])],
        [Tensor("W", [weights.Length], weights)],
        [ValueInfo("X", Float, ["N", weights.Length])],
        [ValueInfo("Y", Float, ["N"])]));

    /// <summary>A classifier pair as converters write it: label = ArgMax(p) (int64 [N]) and probabilities = Softmax(X · W + b) ([N, k]).</summary>
    public static byte[] SoftmaxClassifier(float[,] weights, float[] biases)
    {
        var features = weights.GetLength(0);
        var classes = weights.GetLength(1);
        return Model(Graph(
            [
                Node("MatMul", ["X", "W"], ["XW"]), Node("Add", ["XW", "B"], ["Z"]),
                Node("Softmax", ["Z"], ["probabilities"], Attribute("axis", 1)),
                Node("ArgMax", ["probabilities"], ["label"], Attribute("axis", 1), Attribute("keepdims", 0)),
            ],
            [Tensor("W", [features, classes], weights.Cast<float>().ToArray()), Tensor("B", [classes], biases)],
            [ValueInfo("X", Float, ["N", features])],
            [ValueInfo("label", Int64, ["N"]), ValueInfo("probabilities", Float, ["N", classes])]));
    }

    /// <summary>Y = A + B: two inputs.</summary>
    public static byte[] TwoInputs() => Model(Graph(
        [Node("Add", ["A", "B"], ["Y"])], [],
        [ValueInfo("A", Float, ["N", 3]), ValueInfo("B", Float, ["N", 3])],
        [ValueInfo("Y", Float, ["N", 3])]));

    /// <summary>Y = Cast&lt;float&gt;(X) · W with a double input.</summary>
    public static byte[] DoubleInput() => Model(Graph(
        [Node("Cast", ["X"], ["XF"], Attribute("to", Float)), Node("MatMul", ["XF", "W"], ["Y"])],
        [Tensor("W", [2, 1], [1f, 2f])],
        [ValueInfo("X", Double, ["N", 2])],
        [ValueInfo("Y", Float, ["N", 1])]));

    /// <summary>Two float outputs: nothing says which one to serve.</summary>
    public static byte[] TwoFloatOutputs() => Model(Graph(
        [Node("MatMul", ["X", "W"], ["Y"]), Node("Sigmoid", ["Y"], ["P"])],
        [Tensor("W", [2, 1], [1f, 2f])],
        [ValueInfo("X", Float, ["N", 2])],
        [ValueInfo("Y", Float, ["N", 1]), ValueInfo("P", Float, ["N", 1])]));

    // ModelProto: ir_version 1, graph 7, opset_import 8 (OperatorSetIdProto: domain 1, version 2).
    private static byte[] Model(byte[] graph) => Message(w =>
    {
        w.Varint(1, 7);
        w.Bytes(2, Encoding.UTF8.GetBytes("cascade-tests"));
        w.Bytes(7, graph);
        w.Bytes(8, Message(o => o.Varint(2, 13)));
    });

    // GraphProto: node 1, name 2, initializer 5, input 11, output 12.
    private static byte[] Graph(byte[][] nodes, byte[][] initializers, byte[][] inputs, byte[][] outputs) => Message(w =>
    {
        foreach (var node in nodes) w.Bytes(1, node);
        w.Bytes(2, Encoding.UTF8.GetBytes("graph"));
        foreach (var initializer in initializers) w.Bytes(5, initializer);
        foreach (var input in inputs) w.Bytes(11, input);
        foreach (var output in outputs) w.Bytes(12, output);
    });

    // NodeProto: input 1, output 2, op_type 4, attribute 5.
    private static byte[] Node(string op, string[] inputs, string[] outputs, params byte[][] attributes) => Message(w =>
    {
        foreach (var input in inputs) w.Bytes(1, Encoding.UTF8.GetBytes(input));
        foreach (var output in outputs) w.Bytes(2, Encoding.UTF8.GetBytes(output));
        w.Bytes(4, Encoding.UTF8.GetBytes(op));
        foreach (var attribute in attributes) w.Bytes(5, attribute);
    });

    // AttributeProto: name 1, i 3, type 20 (INT = 2).
    private static byte[] Attribute(string name, long value) => Message(w =>
    {
        w.Bytes(1, Encoding.UTF8.GetBytes(name));
        w.Varint(3, (ulong)value);
        w.Varint(20, 2);
    });

    // TensorProto: dims 1, data_type 2, float_data 4 (packed), name 8.
    private static byte[] Tensor(string name, long[] dims, float[] values) => Message(w =>
    {
        foreach (var dim in dims) w.Varint(1, (ulong)dim);
        w.Varint(2, Float);
        w.Bytes(4, values.SelectMany(BitConverter.GetBytes).ToArray());
        w.Bytes(8, Encoding.UTF8.GetBytes(name));
    });

    // ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → elem_type 1, shape 2 → dim 1 → dim_value 1 | dim_param 2.
    private static byte[] ValueInfo(string name, int elementType, object[] shape) => Message(w =>
    {
        w.Bytes(1, Encoding.UTF8.GetBytes(name));
        w.Bytes(2, Message(type => type.Bytes(1, Message(tensor =>
        {
            tensor.Varint(1, (ulong)elementType);
            tensor.Bytes(2, Message(s =>
            {
                foreach (var dim in shape)
                {
                    s.Bytes(1, Message(d =>
                    {
                        if (dim is string symbol) d.Bytes(2, Encoding.UTF8.GetBytes(symbol));
                        else d.Varint(1, (ulong)Convert.ToInt64(dim));
                    }));
                }
            }));
        }))));
    });

    private static byte[] Message(Action<ProtoWriter> write)
    {
        var writer = new ProtoWriter();
        write(writer);
        return writer.ToArray();
    }

    /// <summary>The two protobuf wire types these messages need: varints and length-delimited bytes.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _buffer = new();

        public void Varint(int field, ulong value)
        {
            Raw(((ulong)field << 3) | 0);
            Raw(value);
        }

        public void Bytes(int field, byte[] value)
        {
            Raw(((ulong)field << 3) | 2);
            Raw((ulong)value.Length);
            _buffer.Write(value);
        }

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _buffer.WriteByte((byte)value);
        }

        public byte[] ToArray() => _buffer.ToArray();
    }
}
