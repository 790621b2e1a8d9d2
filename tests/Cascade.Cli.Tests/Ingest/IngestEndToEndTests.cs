using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Cascade.Contracts.Ingestion.V1;
using Parquet.Schema;

namespace Cascade.Cli.Tests.Ingest;

/// <summary>
/// <c>cascade ingest</c> against an all-in-one host: a CSV with three bad rows among a thousand good ones (two caught
/// by the client, one refused by the host), the same file again (all duplicates), the same rows as Parquet without
/// and with labels, and the usage errors that must stop it before anything is sent.
/// </summary>
public sealed class IngestEndToEndTests(IngestHostFixture host) : IClassFixture<IngestHostFixture>
{
    private const int GoodRows = 1000;
    private static readonly DateTime Start = new(2026, 1, 31, 0, 0, 0, DateTimeKind.Utc);

    private sealed record Row(string Device, DateTime Time, double Temp, long? Count, string Site, bool? Ok, double Label);

    private static Row Good(int i) => new($"d{i % 17}", Start.AddSeconds(i), Math.Round(15 + i * 0.37 % 12, 2), i % 3 == 0 ? null : (long)i, i % 50 == 0 ? $"wing, \"B\"\nfloor {i}" : $"site-{i % 5}", i % 4 == 0 ? null : i % 2 == 0, i % 2);

    private async Task<string> RegisterAsync(string name)
    {
        await host.Ingestion.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = Datasets.Sensors(name) });
        return name;
    }

    /// <summary>The good rows as CSV, with three bad rows among them; returns the bad rows' (line, column) in file order.</summary>
    private static List<(long Line, string Column)> WriteCsv(string path)
    {
        var bad = new List<(long, string)>();
        var text = new StringBuilder("device_id,ts,temp,count,site,ok,label,note\n");
        long line = 2;
        void Add(string device, string ts, string temp, Row row)
        {
            var site = row.Site.Contains('\n') || row.Site.Contains(',') ? $"\"{row.Site.Replace("\"", "\"\"")}\"" : row.Site;
            text.Append(CultureInfo.InvariantCulture, $"{device},{ts},{temp},{row.Count},{site},{row.Ok?.ToString().ToLowerInvariant()},{row.Label},free text\n");
            line += 1 + row.Site.Count(c => c == '\n');
        }
        for (var i = 0; i < GoodRows; i++)
        {
            var row = Good(i);
            var temp = row.Temp.ToString("R", CultureInfo.InvariantCulture);
            switch (i)
            {
                case 100: // the client: not a number
                    bad.Add((line, "temp"));
                    Add(row.Device, row.Time.ToString("O"), "warm", row);
                    break;
                case 500: // the client: not a time
                    bad.Add((line, "ts"));
                    Add(row.Device, "31/01/2026", temp, row);
                    break;
                case 900: // the host: NaN under the dataset's REJECT policy
                    bad.Add((line, "temp"));
                    Add(row.Device, row.Time.ToString("O"), "NaN", row);
                    break;
            }
            // Times alternate between ISO 8601 and Unix seconds: both name the same instant.
            Add(row.Device, i % 2 == 0 ? row.Time.ToString("yyyy-MM-ddTHH:mm:ssZ") : new DateTimeOffset(row.Time).ToUnixTimeSeconds().ToString(), temp, row);
        }
        File.WriteAllText(path, text.ToString());
        return bad;
    }

    private static async Task WriteParquetAsync(string path)
    {
        var rows = Enumerable.Range(0, GoodRows).Select(Good).ToArray();
        await using var file = await ParquetFiles.CreateAsync(path,
            new DataField<string>("device_id"), new DataField<DateTime>("ts"), new DataField<double>("temp"), new DataField<long?>("count"),
            new DataField<string>("site"), new DataField<bool?>("ok"), new DataField<double>("label"));
        // Two row groups, so row numbers must run on across them.
        foreach (var part in rows.Chunk(600))
        {
            await file.RowGroupAsync(part.Select(r => r.Device).ToArray<string?>(), part.Select(r => r.Time).ToArray(), part.Select(r => r.Temp).ToArray(),
                part.Select(r => r.Count).ToArray(), part.Select(r => r.Site).ToArray<string?>(), part.Select(r => r.Ok).ToArray(), part.Select(r => r.Label).ToArray());
        }
    }

    private static string[] Reports(string stderr, string file) =>
        stderr.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(file + ":", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task A_csv_with_three_bad_rows_is_ingested_but_for_them_a_rerun_appends_nothing_and_the_same_rows_as_parquet_are_duplicates_until_labeled()
    {
        var dataset = await RegisterAsync("ingest-e2e");
        var csv = Path.Combine(host.Data, "sensors.csv");
        var bad = WriteCsv(csv);
        var errors = Path.Combine(host.Data, "errors.txt");

        var first = await IngestHostFixture.IngestAsync("--dataset", dataset, "--file", csv, "--batch-size", "64", "--errors", errors, "--grpc", host.Address);

        first.ExitCode.Should().Be(1, first.ToString());
        var reports = Reports(first.Error, csv);
        reports.Select(r => Regex.Match(r, @"^.*:(\d+): column (\w+): ").Groups).Select(g => (long.Parse(g[1].Value), g[2].Value))
            .Should().Equal(bad, first.ToString());
        reports[0].Should().EndWith("'warm' is not a number (FLOAT64)");
        reports[1].Should().EndWith("'31/01/2026' is not a time (ISO 8601 such as 2026-01-31T12:00:00Z, or Unix seconds or milliseconds)");
        reports[2].Should().Contain("NaN or infinity is not allowed", "the host's own verdict, mapped back to its line");
        File.ReadAllLines(errors).Should().Equal(reports);
        first.Error.Should().Contain($"warning: dataset '{dataset}' does not declare column(s) note: ignored")
            .And.Contain("warning: column label is the dataset's label column: ignored without --labels");
        first.Output.Trim().Should().Be($"{csv}: 1,003 rows read, 1,000 accepted, 0 duplicates, 3 invalid");
        (await host.AcceptedAsync(dataset)).Should().Be(GoodRows);

        var again = await IngestHostFixture.IngestAsync("--dataset", dataset, "--file", csv, "--grpc", host.Address);

        again.ExitCode.Should().Be(1, "the three bad rows are still bad");
        again.Output.Trim().Should().Be($"{csv}: 1,003 rows read, 0 accepted, 1,000 duplicates, 3 invalid");
        (await host.AcceptedAsync(dataset)).Should().Be(GoodRows, "a re-run appends nothing");

        var parquet = Path.Combine(host.Data, "sensors.parquet");
        await WriteParquetAsync(parquet);
        var unlabeled = await IngestHostFixture.IngestAsync("--dataset", dataset, "--file", parquet, "--grpc", host.Address);

        unlabeled.ExitCode.Should().Be(0, unlabeled.ToString());
        unlabeled.Output.Trim().Should().Be($"{parquet}: 1,000 rows read, 0 accepted, 1,000 duplicates, 0 invalid", "the same rows are the same records whatever the format");

        var labeled = await IngestHostFixture.IngestAsync("--dataset", dataset, "--file", parquet, "--labels", "--grpc", host.Address);

        labeled.ExitCode.Should().Be(0, labeled.ToString());
        labeled.Output.Trim().Should().Be($"{parquet}: 1,000 rows read, 1,000 accepted, 0 duplicates, 0 invalid");
        labeled.Error.Should().NotContain("warning:");
        (await host.AcceptedAsync(dataset)).Should().Be(2 * GoodRows);
    }

    [Fact]
    public async Task Record_ids_from_an_id_column_make_a_changed_row_a_duplicate_and_host_side_refusals_name_their_parquet_row()
    {
        var dataset = await RegisterAsync("ingest-ids");
        var path = Path.Combine(host.Data, "ids.csv");
        File.WriteAllText(path, "uid,device_id,ts,temp\nu1,d1,1769860800000,1.5\nu2,d1,1769860801000,2.5\n");
        (await IngestHostFixture.IngestAsync("--dataset", dataset, "--file", path, "--id-column", "uid", "--grpc", host.Address)).ExitCode.Should().Be(0);

        File.WriteAllText(path, "uid,device_id,ts,temp\nu1,d1,1769860800000,9.5\nu3,d2,1769860802000,3.5\n");
        var changed = await IngestHostFixture.IngestAsync("--dataset", dataset, "--file", path, "--id-column", "uid", "--grpc", host.Address);

        changed.Output.Trim().Should().Be($"{path}: 2 rows read, 1 accepted, 1 duplicates, 0 invalid", "u1 was ingested already, whatever its values now");
        (await host.AcceptedAsync(dataset)).Should().Be(3);

        var parquet = Path.Combine(host.Data, "inf.parquet");
        await using (var file = await ParquetFiles.CreateAsync(parquet, new DataField<string>("device_id"), new DataField<long>("ts"), new DataField<double>("temp")))
        {
            await file.RowGroupAsync(new string?[] { "d1", "d2" }, new[] { 1_769_860_900L, 1_769_860_901L }, new[] { 1.0, double.PositiveInfinity });
        }
        var refused = await IngestHostFixture.IngestAsync("--dataset", dataset, "--file", parquet, "--grpc", host.Address);

        refused.ExitCode.Should().Be(1);
        Reports(refused.Error, parquet).Should().ContainSingle().Which.Should().StartWith($"{parquet}:2: column temp: NaN or infinity is not allowed");
    }

    [Fact]
    public async Task Ids_of_ingested_rows_outlive_a_host_restart_so_a_rerun_after_it_appends_nothing()
    {
        var data = Path.Combine(host.Data, "restarted");
        var path = Path.Combine(host.Data, "restart.csv");
        File.WriteAllText(path, "device_id,ts,temp\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"d{i % 3},{1_769_860_800 + i},{i}.5\n")));
        var options = new Cascade.Host.AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data };
        for (var run = 0; run < 2; run++)
        {
            var restarted = Cascade.Host.AllInOneHost.Build(options, _ => { });
            await restarted.StartAsync();
            try
            {
                var address = Cascade.Host.AllInOneHost.GetAddresses(restarted, options).Grpc;
                if (run == 0)
                {
                    using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(address);
                    await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = Datasets.Sensors("restarts") });
                }
                var result = await IngestHostFixture.IngestAsync("--dataset", "restarts", "--file", path, "--grpc", address);
                result.Output.Trim().Should().Be(run == 0 ? $"{path}: 50 rows read, 50 accepted, 0 duplicates, 0 invalid" : $"{path}: 50 rows read, 0 accepted, 50 duplicates, 0 invalid", result.ToString());
            }
            finally
            {
                await restarted.StopAsync();
                await restarted.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_header_without_a_required_column_is_refused_before_anything_is_sent()
    {
        var dataset = await RegisterAsync("ingest-missing");
        var path = Path.Combine(host.Data, "missing.csv");
        File.WriteAllText(path, "device_id,count\nd1,1\n");

        var result = await IngestHostFixture.IngestAsync("--dataset", dataset, "--file", path, "--grpc", host.Address);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("the file's header lacks required column(s)").And.Contain("ts (the event-time column)").And.Contain("temp");
        (await host.AcceptedAsync(dataset)).Should().Be(0);
    }

    [Fact]
    public async Task Usage_errors_an_unknown_dataset_and_an_unreachable_host_exit_with_2()
    {
        var path = Path.Combine(host.Data, "usage.csv");
        File.WriteAllText(path, "device_id,ts,temp\nd1,2026-01-31,1\n");
        var text = Path.ChangeExtension(path, ".txt");
        File.Copy(path, text);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();

        var cases = new (string[] Args, string Message)[]
        {
            (["--file", path, "--grpc", host.Address], "--dataset is required"),
            (["--dataset", "x", "--grpc", host.Address], "--file is required"),
            (["--dataset", "x", "--file", path, "--batch-size", "lots", "--grpc", host.Address], "--batch-size must be a whole number from 1 to 10,000, not 'lots'"),
            (["--dataset", "x", "--file", path, "--grpc", host.Address, "extra"], "unexpected argument(s) extra"),
            (["--dataset", "x", "--file", path, "--grpc", host.Address, "--bogus"], "unexpected argument(s) --bogus"),
            (["--dataset", "x", "--file", path, "--grpc", host.Address, "--batch-size"], "--batch-size needs a value"),
            (["--dataset", "x", "--file", path, "--grpc", "localhost:50051"], "--grpc must be an http:// or https:// address"),
            (["--dataset", "x", "--file", Path.Combine(host.Data, "none.csv"), "--grpc", host.Address], "file not found"),
            (["--dataset", "x", "--file", text, "--grpc", host.Address], "name the file *.csv or *.parquet"),
            (["--dataset", "nobody", "--file", path, "--grpc", host.Address], "dataset 'nobody' is not registered"),
            (["--dataset", "x", "--file", path, "--grpc", closed], "is the host running?"),
        };
        foreach (var (args, message) in cases)
        {
            var result = await IngestHostFixture.IngestAsync(args);
            result.ExitCode.Should().Be(2, string.Join(' ', args));
            result.Error.Should().Contain(message, result.ToString());
        }
    }
}
