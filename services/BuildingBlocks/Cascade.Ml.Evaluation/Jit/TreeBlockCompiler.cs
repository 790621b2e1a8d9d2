using System.Reflection.Emit;

namespace Cascade.Ml.Evaluation.Jit;

/// <summary>
/// Adds the leaves of a consecutive block of trees to the margins of <paramref name="rowCount"/> row-major rows:
/// <paramref name="rows"/> is the first feature of the first row, <paramref name="margins"/> its first margin.
/// </summary>
internal delegate void TreeBlock(ref float rows, int rowCount, ref float margins);

/// <summary>
/// Turns blocks of trees into IL that the JIT compiles to machine code: every inner node becomes one float compare and
/// one conditional jump with its threshold as a constant, every leaf an add of a constant to a margin held in a register.
/// </summary>
/// <remarks>
/// The JIT stops optimising a method with more than 2,000 basic blocks or 8,000 local references (it falls back to
/// MinOpts, which keeps every value on the stack), so trees are grouped into methods of at most
/// <see cref="MaxNodesPerMethod"/> nodes: each node is one basic block and one or two local references.
/// </remarks>
internal static class TreeBlockCompiler
{
    /// <summary>Nodes per generated method: well under the JIT's 2,000 basic blocks, so every method is fully optimised.</summary>
    public const int MaxNodesPerMethod = 1_200;

    /// <summary>Splits the trees into consecutive runs of at most <see cref="MaxNodesPerMethod"/> nodes (a larger tree alone).</summary>
    public static List<(int First, int Count)> Partition(CompiledModel model)
    {
        var blocks = new List<(int First, int Count)>();
        var roots = model.Roots;
        var nodes = 0;
        var first = 0;
        for (var t = 0; t < roots.Length; t++)
        {
            var size = TreeSize(model, t);
            if (t > first && nodes + size > MaxNodesPerMethod)
            {
                blocks.Add((first, t - first));
                first = t;
                nodes = 0;
            }
            nodes += size;
        }
        if (roots.Length > first)
        {
            blocks.Add((first, roots.Length - first));
        }
        return blocks;
    }

    /// <summary>Nodes of tree <paramref name="tree"/> (trees are stored one after another).</summary>
    public static int TreeSize(CompiledModel model, int tree)
    {
        var roots = model.Roots;
        var end = tree + 1 < roots.Length ? roots[tree + 1] : model.Nodes.Length;
        return end - roots[tree];
    }

    /// <summary>Emits and JIT-compiles one method adding trees <paramref name="first"/>..first+count-1 to every row's margins.</summary>
    public static TreeBlock Compile(CompiledModel model, int first, int count)
    {
        var method = new DynamicMethod(
            $"cascade_trees_{first}_{first + count - 1}",
            typeof(void),
            [typeof(float).MakeByRefType(), typeof(int), typeof(float).MakeByRefType()],
            typeof(TreeBlockCompiler).Module,
            skipVisibility: true);
        var il = method.GetILGenerator();
        var rowIndex = il.DeclareLocal(typeof(int));
        var row = il.DeclareLocal(typeof(float).MakeByRefType());
        var margins = il.DeclareLocal(typeof(float).MakeByRefType());

        // One float local per output group the block adds to: the running sums stay in registers across trees.
        var groups = model.Groups.Slice(first, count).ToArray();
        var sums = new Dictionary<int, LocalBuilder>();
        foreach (var group in groups.Distinct().Order())
        {
            sums[group] = il.DeclareLocal(typeof(float));
        }

        var loop = il.DefineLabel();
        var check = il.DefineLabel();
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, rowIndex);
        il.Emit(OpCodes.Br, check);

        il.MarkLabel(loop);
        EmitRowAddress(il, 0, rowIndex, model.FeatureCount, row);
        EmitRowAddress(il, 2, rowIndex, model.OutputCount, margins);
        foreach (var (group, sum) in sums)
        {
            EmitMarginAddress(il, margins, group);
            il.Emit(OpCodes.Ldind_R4);
            il.Emit(OpCodes.Stloc, sum);
        }
        for (var t = first; t < first + count; t++)
        {
            EmitTree(il, model, model.Roots[t], row, sums[model.Groups[t]]);
        }
        foreach (var (group, sum) in sums)
        {
            EmitMarginAddress(il, margins, group);
            il.Emit(OpCodes.Ldloc, sum);
            il.Emit(OpCodes.Stind_R4);
        }
        il.Emit(OpCodes.Ldloc, rowIndex);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, rowIndex);

        il.MarkLabel(check);
        il.Emit(OpCodes.Ldloc, rowIndex);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Blt, loop);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<TreeBlock>();
    }

    /// <summary>local = &amp;argument[rowIndex * width] (a byref, so the GC tracks the array).</summary>
    private static void EmitRowAddress(ILGenerator il, short argument, LocalBuilder rowIndex, int width, LocalBuilder local)
    {
        il.Emit(OpCodes.Ldarg, argument);
        il.Emit(OpCodes.Ldloc, rowIndex);
        il.Emit(OpCodes.Conv_I);
        il.Emit(OpCodes.Ldc_I4, width * sizeof(float));
        il.Emit(OpCodes.Conv_I);
        il.Emit(OpCodes.Mul);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, local);
    }

    private static void EmitMarginAddress(ILGenerator il, LocalBuilder margins, int group)
    {
        il.Emit(OpCodes.Ldloc, margins);
        if (group != 0)
        {
            il.Emit(OpCodes.Ldc_I4, group * sizeof(float));
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Add);
        }
    }

    /// <summary>
    /// One tree as nested branches. An inner node jumps to its right subtree when the row goes right, and falls through
    /// into its left subtree otherwise. XGBoost goes left when <c>value &lt; threshold</c> and follows the default
    /// child on NaN; IL's two float compares give exactly that in one jump: <c>bge</c> (ordered: false on NaN, so NaN
    /// stays left) where missing goes left, <c>bge.un</c> (true on NaN) where it goes right.
    /// </summary>
    private static void EmitTree(ILGenerator il, CompiledModel model, int root, LocalBuilder row, LocalBuilder sum)
    {
        var nodes = model.Nodes;
        var end = il.DefineLabel();
        // An explicit stack: trees grown loss-guided can be far deeper than the call stack allows for recursion.
        var pending = new Stack<(int Node, Label? Mark)>();
        pending.Push((root, null));
        while (pending.TryPop(out var item))
        {
            if (item.Mark is { } mark)
            {
                il.MarkLabel(mark);
            }
            var node = nodes[item.Node];
            if (node.IsLeaf)
            {
                // float32 locals and ldc.r4: the add rounds to float32 exactly as CompiledModel's `+=` does.
                il.Emit(OpCodes.Ldloc, sum);
                il.Emit(OpCodes.Ldc_R4, node.Value);
                il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Stloc, sum);
                il.Emit(OpCodes.Br, end);
                continue;
            }
            var right = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, row);
            if (node.Feature != 0)
            {
                il.Emit(OpCodes.Ldc_I4, node.Feature * sizeof(float));
                il.Emit(OpCodes.Conv_I);
                il.Emit(OpCodes.Add);
            }
            il.Emit(OpCodes.Ldind_R4);
            il.Emit(OpCodes.Ldc_R4, node.Value);
            il.Emit(node.DefaultLeft ? OpCodes.Bge : OpCodes.Bge_Un, right);
            // Popped in reverse: the left subtree is emitted next (the fall-through), the right one after it.
            pending.Push((node.Right, right));
            pending.Push((node.Left, null));
        }
        il.MarkLabel(end);
    }
}
