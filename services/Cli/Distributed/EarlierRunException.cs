namespace Cascade.Cli.Distributed;

/// <summary>The local servers hold an earlier run of the demo's scenario: the registry already has its model, the topics its records.</summary>
internal sealed class EarlierRunException() : InvalidOperationException(
    "The infrastructure holds an earlier demo run (the registry already has demo-model, the topics its records). Start from fresh servers: ./cascade infra down && rm -rf .cascade/infra && ./cascade infra up");
