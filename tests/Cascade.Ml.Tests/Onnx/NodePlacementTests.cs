using Cascade.Ml.Onnx;

namespace Cascade.Ml.Tests.Onnx;

public sealed class NodePlacementTests
{
    [Fact]
    public void A_profile_gives_each_nodes_operator_and_provider_once_and_skips_other_events()
    {
        // The shape of an ONNX Runtime profile with the CUDA provider: session events, a node's fence and kernel events
        // (each node run twice), a copy ONNX Runtime inserted, and a node the provider had no kernel for.
        const string profile = """
            [
            {"cat" : "Session","pid" :1,"tid" :1,"dur" :120,"ts" :1,"ph" : "X","name" :"model_loading_array","args" : {}},
            {"cat" : "Node","pid" :1,"tid" :1,"dur" :0,"ts" :5,"ph" : "X","name" :"x_0_fence_before","args" : {"op_name" : "Gather"}},
            {"cat" : "Node","pid" :1,"tid" :1,"dur" :9,"ts" :6,"ph" : "X","name" :"features_token_0_kernel_time","args" : {"op_name" : "MemcpyFromHost","provider" : "CUDAExecutionProvider"}},
            {"cat" : "Node","pid" :1,"tid" :1,"dur" :4,"ts" :7,"ph" : "X","name" :"x_0_kernel_time","args" : {"op_name" : "Gather","provider" : "CUDAExecutionProvider","thread_scheduling_stats" : ""}},
            {"cat" : "Node","pid" :1,"tid" :1,"dur" :30,"ts" :9,"ph" : "X","name" :"trees_kernel_time","args" : {"op_name" : "TreeEnsembleRegressor","provider" : "CPUExecutionProvider"}},
            {"cat" : "Node","pid" :1,"tid" :1,"dur" :3,"ts" :40,"ph" : "X","name" :"x_0_kernel_time","args" : {"op_name" : "Gather","provider" : "CUDAExecutionProvider"}},
            {"cat" : "Session","pid" :1,"tid" :1,"dur" :50,"ts" :45,"ph" : "X","name" :"SequentialExecutor::Execute","args" : {}}
            ]
            """;

        var placements = NodePlacement.FromProfile(profile);

        placements.Should().Equal(
            new NodePlacement("features_token_0", "MemcpyFromHost", OnnxProviders.Cuda),
            new NodePlacement("x_0", "Gather", OnnxProviders.Cuda),
            new NodePlacement("trees", "TreeEnsembleRegressor", OnnxProviders.Cpu));
    }

    [Fact]
    public void A_profile_without_node_events_gives_no_placement()
    {
        NodePlacement.FromProfile("""[{"cat" : "Session","name" :"model_loading_array","args" : {}}]""").Should().BeEmpty();
    }
}
