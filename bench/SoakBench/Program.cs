using Cascade.Bench.Soak;

// Soak: `dotnet run -c Release --project bench/SoakBench -- [--records 1000000] [--distributed]`.
// Not part of ./test.sh: it runs for many minutes.
var options = SoakOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/SoakBench -- [--records N] [--distributed] [--rate 4000] [--clients 4] [--drift-at N] [--sample-seconds 10] [--flat-percent 10] [--full-gc]
          --records         records to ingest (default 1,000,000)
          --distributed     run against the seven service processes on ./cascade infra up's servers instead of the in-process host
          --rate            records/s the producer sends, a live source that Features keeps up with (default 4,000; 0 = as fast as the host takes them)
          --clients         closed-loop Predict clients (default 4)
          --drift-at        record from which the demo's concept drifts (default half of --records; -1 for none)
          --sample-seconds  sampling period (default 10)
          --flat-percent    memory is flat when the last third's mean RSS is within this % of the middle third's (default 10)
          --full-gc         diagnosis: a blocking compacting GC before each sample, so the heap column is live data (perturbs RSS)
        """);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
await using ISoakTarget target = options.Distributed
    ? await DistributedTarget.StartAsync(stop.Token)
    : await InProcessTarget.StartAsync();
var result = await new SoakRun(target, options).RunAsync(stop.Token);
return result;
