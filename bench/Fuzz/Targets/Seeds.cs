using System.Buffers.Binary;
using System.Text;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Fuzz.Live;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Import;
using Cascade.Ml.Signing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Fuzz.Targets;

/// <summary>The seed inputs of each target: small valid inputs (and a few near-misses) for afl-fuzz to mutate.</summary>
public static class Seeds
{
    /// <summary>Writes each target's seeds into <c>directory/&lt;target&gt;/seed-*</c>.</summary>
    public static void Write(string directory)
    {
        foreach (var (target, seeds) in All())
        {
            var folder = Path.Combine(directory, target);
            Directory.CreateDirectory(folder);
            for (var i = 0; i < seeds.Count; i++)
            {
                File.WriteAllBytes(Path.Combine(folder, $"seed-{i:D2}"), seeds[i]);
            }
        }
    }

    public static IEnumerable<(string Target, IReadOnlyList<byte[]> Seeds)> All()
    {
        yield return ("record", Records());
        yield return ("envelope", Envelopes());
        yield return ("artifact", Artifacts());
        yield return ("csv", Csv());
        yield return ("tensor-json", TensorJson());
    }

    private static byte[] RecordInput(DatasetSpec spec, Record record)
    {
        var specBytes = spec.ToByteArray();
        var input = new byte[2 + specBytes.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(input, (ushort)specBytes.Length);
        specBytes.CopyTo(input, 2);
        return [.. input, .. record.ToByteArray()];
    }

    private static List<byte[]> Records()
    {
        var spec = new DatasetSpec
        {
            Name = "s", EntityColumn = "e", EventTimeColumn = "t", LabelColumn = "y",
            Columns =
            {
                new ColumnSpec { Name = "a", Type = ValueType.Float64, Required = true },
                new ColumnSpec { Name = "b", Type = ValueType.Int64 },
                new ColumnSpec { Name = "c", Type = ValueType.String },
                new ColumnSpec { Name = "d", Type = ValueType.Bool },
            },
        };
        var time = new Timestamp { Seconds = 1_700_000_000 };
        var full = new Record { EntityId = "x", EventTime = time, Label = 1, Values = { ["a"] = new() { Float64Value = 1.5 }, ["b"] = new() { Int64Value = 2 }, ["c"] = new() { StringValue = "z" }, ["d"] = new() { BoolValue = true } } };
        var minimal = new Record { EntityId = "x", EventTime = time, Values = { ["a"] = new() { Int64Value = 3 } } };
        var lenient = spec.Clone();
        lenient.NonFinite = NonFinitePolicy.AsMissing;
        lenient.MaxRecordBytes = 40;
        var nan = new Record { RecordId = "r1", EntityId = "x", EventTime = time, Values = { ["a"] = new() { Float64Value = double.NaN }, ["c"] = new() } };
        return
        [
            RecordInput(spec, full),
            RecordInput(spec, minimal),
            RecordInput(lenient, nan),
            RecordInput(spec, new Record { EntityId = "x", EventTime = time, Values = { ["zz"] = new() { BoolValue = false } } }),
            RecordInput(new DatasetSpec { Name = "n", EntityColumn = "e", EventTimeColumn = "t", Columns = { new ColumnSpec { Name = "v", Type = ValueType.String } } }, new Record { EntityId = "é", EventTime = time }),
        ];
    }

    private static List<byte[]> Envelopes()
    {
        var time = new Timestamp { Seconds = 1_700_000_000 };
        var record = new DataRecord { Dataset = "s", RecordId = "r", EntityId = "x", EventTime = time, Values = { ["a"] = new() { Float64Value = 1 } }, Label = 0 };
        IMessage[] payloads =
        [
            record,
            new ModelPromoted { Model = "m", Version = 2, ArtifactSha256 = "ab", FeatureView = "v" },
            new ModelRolledBack { Model = "m", ToVersion = 1 },
            new LabelObserved { Model = "m", EntityId = "x", EventTime = time, Label = 1 },
            new DriftDetected { Model = "m" },
        ];
        var envelopes = payloads.Select(p => EventEnvelopes.Wrap(p, "k", "fuzz", "id1", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").ToByteArray()).ToList();
        var unknown = EventEnvelopes.Wrap(record, "k", "fuzz", "id2");
        unknown.Type = "cascade.events.v1.NoSuchEvent";
        envelopes.Add(unknown.ToByteArray());
        return envelopes;
    }

    /// <summary>A real artifact of a small imported XGBoost model, and a few broken archives.</summary>
    private static List<byte[]> Artifacts()
    {
        var work = Directory.CreateTempSubdirectory("cascade-fuzz-seed-").FullName;
        try
        {
            var file = Path.Combine(work, "model.json");
            File.WriteAllBytes(file, TinyModel.Json(rounds: 1));
            var imported = ModelImporter.Import(new ImportRequest { ModelFile = file, FeatureNames = LiveHost.FeatureNames }, Path.Combine(work, "artifact"));
            var archive = ArtifactArchive.Pack(imported.Directory);
            using var key = SigningKey.Create();
            var signed = ArtifactArchive.Pack(ModelImporter.Import(new ImportRequest { ModelFile = file, FeatureNames = LiveHost.FeatureNames }, Path.Combine(work, "signed"), key).Directory);
            var manifestOnly = Path.Combine(work, "manifest-only");
            Directory.CreateDirectory(manifestOnly);
            File.Copy(Path.Combine(imported.Directory, ArtifactFiles.Manifest), Path.Combine(manifestOnly, ArtifactFiles.Manifest));
            return [archive, ArtifactArchive.Pack(manifestOnly), archive[..512], Encoding.UTF8.GetBytes("not a tar"), signed];
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static List<byte[]> Csv() =>
    [
        "id,ts,y,f,n,s,b\nd1,2026-12-06T08:00:00Z,1,1.5,2,north,true\nd2,1765000000,,NaN,,\"a,\"\"b\"\"\",false\n"u8.ToArray(),
        "\ufeffid,ts,f\r\nd1,2026-12-06 08:00:00,3\r\n\r\nd2,2026-12-06T08:00:00.123+01:00,4e3\r\n"u8.ToArray(),
        "id,ts,f,y\n\"d\n1\",1765000000.5,-0,0\nd2,x,1,2\n\"open,1,2\n"u8.ToArray(),
        "f,id\n1\n"u8.ToArray(),
    ];

    private static List<byte[]> TensorJson() =>
    [
        .. Enumerable.Range(0, SeedBook.InferVariants).Select(i => Encoding.UTF8.GetBytes(SeedBook.InferJson(i))),
        """{"id":"a","inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[[1,2],[3,null]]}],"outputs":[{"name":"y","parameters":{}}]}"""u8.ToArray(),
        """{"inputs":[{"name":"x","shape":[0],"datatype":"FP32","data":[]}]}"""u8.ToArray(),
    ];
}
