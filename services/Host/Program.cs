using Cascade.Host;

// Stand-alone entry point of the all-in-one host; `./cascade up` runs the same host.
var options = new AllInOneHostOptions();
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--grpc-port": options.GrpcPort = int.Parse(args[i + 1]); break;
        case "--http-port": options.HttpPort = int.Parse(args[i + 1]); break;
        case "--data-dir": options.DataDirectory = args[i + 1]; break;
        default: Console.Error.WriteLine($"Unknown option {args[i]}; known: --grpc-port, --http-port, --data-dir."); return 2;
    }
}
await using var app = AllInOneHost.Build(options);
await app.RunAsync();
return 0;
