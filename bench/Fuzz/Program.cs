using System.Globalization;
using Cascade.Fuzz.Live;
using Cascade.Fuzz.Targets;

// Cascade's fuzzing driver (docs/security.md, "Fuzzing"):
//   afl TARGET                  the SharpFuzz fork server for afl-fuzz (bench/Fuzz/run.sh runs it, instrumented)
//   replay TARGET PATH...       runs files or folders of inputs through a target, reports each refusal and finding
//   seed DIR                    writes every target's seed inputs into DIR/<target>/
//   live [--cases N] [--seed S] [--concurrency C] [--findings DIR] [--first I] [--case I] [--replay DIR|FILE]
//                               the generated-input campaign against a live in-process host (gRPC and REST)
//   surface                     lists the gRPC methods and REST routes the live host serves
//   assemblies                  lists the assemblies run.sh instruments (those the targets exercise)
return args.FirstOrDefault() switch
{
    "afl" => Afl(args),
    "replay" => Replay(args),
    "seed" => Seed(args),
    "live" => await LiveAsync(args),
    "surface" => await SurfaceAsync(),
    "assemblies" => Assemblies(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Cascade.Fuzz afl TARGET | replay TARGET PATH... | seed DIR | live [--cases N] [--seed S] [--concurrency C] [--findings DIR] [--first I] [--case I] [--replay DIR|FILE] | surface");
    Console.Error.WriteLine($"targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}

static FuzzTarget? Target(string[] args)
{
    if (args.Length > 1 && FuzzTargets.All.TryGetValue(args[1], out var target)) return target;
    Console.Error.WriteLine($"unknown target '{(args.Length > 1 ? args[1] : string.Empty)}'; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return null;
}

static int Afl(string[] args)
{
    if (Target(args) is not { } target) return 2;
    // Out of process: a stack overflow or a hang in the target kills a child, not the fork server afl-fuzz talks to.
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        target.Run(copy.ToArray());
    });
    return 0;
}

static int Assemblies()
{
    foreach (var assembly in FuzzTargets.All.Values.SelectMany(t => t.Instrument).Distinct(StringComparer.Ordinal)) Console.WriteLine(assembly);
    return 0;
}

static int Replay(string[] args)
{
    if (Target(args) is not { } target) return 2;
    var files = args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray() : [p]).ToArray();
    int accepted = 0, refused = 0, findings = 0;
    foreach (var file in files)
    {
        try
        {
            if (target.Run(File.ReadAllBytes(file))) accepted++;
            else refused++;
        }
        catch (Exception ex)
        {
            findings++;
            Console.WriteLine($"FINDING {file}: {ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}");
            // One line run.sh groups crashes by: the exception and the innermost frame of Cascade's own code.
            var frame = ex.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at Cascade.", StringComparison.Ordinal) && !l.StartsWith("at Cascade.Fuzz.", StringComparison.Ordinal));
            Console.WriteLine($"SIGNATURE {ex.GetType().FullName} {frame?.Split(" in ")[0] ?? "(no Cascade frame)"}");
        }
    }
    Console.WriteLine($"{target.Name}: {files.Length} inputs, {accepted} accepted, {refused} refused, {findings} findings");
    return findings == 0 ? 0 : 1;
}

static int Seed(string[] args)
{
    if (args.Length < 2) return Usage();
    Seeds.Write(args[1]);
    foreach (var (target, seeds) in Seeds.All()) Console.WriteLine($"{target}: {seeds.Count} seeds");
    return 0;
}

static async Task<int> LiveAsync(string[] args)
{
    string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    Console.WriteLine("starting an all-in-one host on loopback (authentication off) with a dataset, a feature view and a served model…");
    var host = await LiveHost.StartAsync();
    try
    {
        return await LiveOnAsync(host, Option);
    }
    finally
    {
        // A host the campaign left busy (a training job between retries) may take long to stop: say so, do not hang.
        var stop = host.DisposeAsync().AsTask();
        if (await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(30))) != stop) Console.WriteLine("the host did not stop within 30 s; leaving it");
    }
}

static async Task<int> LiveOnAsync(LiveHost host, Func<string, string?> Option)
{
    var cases = int.Parse(Option("--cases") ?? "100000", CultureInfo.InvariantCulture);
    var seed = int.Parse(Option("--seed") ?? "1", CultureInfo.InvariantCulture);
    var concurrency = int.Parse(Option("--concurrency") ?? "16", CultureInfo.InvariantCulture);
    var findings = Option("--findings");
    var surface = Surface.Discover(host.App.Services);
    var campaign = new Campaign(host, surface, new CaseFactory(new SeedBook(host.ArtifactSha256)));
    if (Option("--replay") is { } saved)
    {
        // Saved cases (a campaign's --findings, or tests/Cascade.Fuzz.Tests/Corpus/live): each answer and its verdict.
        using var executor = new Executor(host.Grpc, host.Http);
        var failed = 0;
        foreach (var file in Directory.Exists(saved) ? Directory.GetFiles(saved, "*.json").Order(StringComparer.Ordinal).ToArray() : [saved])
        {
            var fuzzCase = FuzzCase.FromJson(await File.ReadAllTextAsync(file));
            var answer = await executor.SendAsync(fuzzCase, CancellationToken.None);
            var verdict = Classifier.Judge(fuzzCase, answer);
            if (verdict is not null) failed++;
            Console.WriteLine($"{Path.GetFileName(file)}: {fuzzCase.Strategy}, {fuzzCase.Payload}: {answer.Label} '{answer.Message}' {answer.Transport} -> {verdict ?? "allowed"}");
        }
        foreach (var log in host.Logs.Errors) Console.WriteLine($"logged: {log}");
        return failed == 0 && host.Logs.Errors.Count == 0 ? 0 : 1;
    }
    if (Option("--case") is { } single)
    {
        var fuzzCase = campaign.Make(seed, int.Parse(single, CultureInfo.InvariantCulture));
        using var executor = new Executor(host.Grpc, host.Http);
        var answer = await executor.SendAsync(fuzzCase, CancellationToken.None);
        Console.WriteLine(fuzzCase.Body.Length <= 4096 ? fuzzCase.ToJson() : fuzzCase.ToString());
        Console.WriteLine($"answer: {answer}\nbody: {answer.Body}\nverdict: {Classifier.Judge(fuzzCase, answer) ?? "allowed"}");
        foreach (var log in host.Logs.Entries) Console.WriteLine($"log: {log}");
        return 0;
    }
    Console.WriteLine($"{surface.Methods.Count} gRPC methods, {surface.Routes.Count} REST routes; {cases:N0} cases, seed {seed}, {concurrency} at a time");
    var first = int.Parse(Option("--first") ?? "0", CultureInfo.InvariantCulture);
    var report = await campaign.RunAsync(cases, seed, concurrency, Console.WriteLine, findings, first);
    if (Environment.GetEnvironmentVariable("FUZZ_LOG_ALL") == "1")
    {
        foreach (var log in host.Logs.Entries.Where(e => e.Category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal))) Console.WriteLine($"log: {log}");
    }
    Console.WriteLine();
    Console.WriteLine(report.Table());
    Console.WriteLine(report.Passed ? "PASSED" : "FAILED");
    return report.Passed ? 0 : 1;
}

static async Task<int> SurfaceAsync()
{
    await using var host = await LiveHost.StartAsync();
    var surface = Surface.Discover(host.App.Services);
    foreach (var method in surface.Methods) Console.WriteLine($"grpc {method.Path} ({method.Type}) {method.Input.FullName}");
    foreach (var route in surface.Routes) Console.WriteLine($"rest {route} body={route.Body} -> {route.Transcodes?.Path}");
    return 0;
}
