using Cascade.Bench;

// The serving side of the cascade on the all-in-one host, each figure beside a baseline measured in the same run.
// Usage: dotnet run -c Release --project bench/CascadeBench [-- --quick] [-- --servers  (needs ./cascade infra up)]
//        dotnet run -c Release --project bench/CascadeBench -- --predict [--quick] [--profile SECONDS] [--distributed]   (Predict vs the echo ceiling; needs h2load)
var quick = args.Contains("--quick");
if (args.Contains("--predict"))
{
    // --distributed: Serving's process of the distributed deployment instead (needs ./cascade infra up, fresh).
    var distributed = args.Contains("--distributed");
    Console.WriteLine($"Predict vs the echo ceiling of the same server, {Environment.ProcessorCount} cores, server and h2load on the same machine");
    Console.WriteLine();
    await using IPredictServer host = distributed ? await DistributedPredictServer.StartAsync() : await InProcessPredictServer.StartAsync();
    // --profile N: after the warm-up, only saturated Predict for about N seconds (to attach perf or dotnet-trace).
    var profile = Array.IndexOf(args, "--profile") is var at and >= 0 ? int.Parse(args[at + 1]) : (int?)null;
    foreach (var line in await PredictCeilingBench.RunAsync(host, requests: quick ? 20_000 : 200_000, rounds: quick ? 1 : 3, profile)) Console.WriteLine(line);
    return 0;
}
if (args.Contains("--servers"))
{
    // The distributed deployment's seams; needs ./cascade infra up.
    Console.WriteLine("| measure | Cascade | baseline in the same run | goal |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var line in await ServersBench.RunAsync(quick ? 10_000 : 50_000)) Console.WriteLine(line);
    return 0;
}
Console.WriteLine($"{Environment.ProcessorCount} cores; host and clients in one process");
Console.WriteLine();
Console.WriteLine("| measure | p50 (ms) | p99 (ms) | baseline / ratio | goal |");
Console.WriteLine("|---|---:|---:|---|---|");
await using (var host = await BenchHost.StartAsync())
{
    foreach (var line in await OnlineLookupBench.RunAsync(host, quick ? 5_000 : 20_000)) Console.WriteLine(line);
}
await using (var host = await BenchHost.StartAsync())
{
    foreach (var line in await SwapUnderLoadBench.RunAsync(host, workers: 8, phase: TimeSpan.FromSeconds(quick ? 3 : 6), swaps: quick ? 6 : 12)) Console.WriteLine(line);
}
return 0;
