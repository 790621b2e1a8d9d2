using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cascade.Cli.Ingest;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Ingestion.Domain;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Serving.Rest;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Fuzz.Targets;

/// <summary>
/// The parsers Cascade feeds untrusted bytes to, one target each: what a producer sends for validation, what comes off
/// the event log, what an artifact store hands back, what a user points <c>cascade ingest</c> at, and what an
/// inference client posts as JSON. Each target is the production code path, with an oracle where one is cheap.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Every target, by name.</summary>
    public static readonly IReadOnlyDictionary<string, FuzzTarget> All = new FuzzTarget[]
    {
        new("record", "DatasetSchema.From + RecordValidator + RecordIds + DataRecordEnvelope (Ingestion)",
            ["Cascade.Ingestion.dll", "Cascade.Contracts.dll", "Google.Protobuf.dll"],
            [typeof(InvalidProtocolBufferException), typeof(ArgumentException)], Record),
        new("envelope", "EventEnvelope parsing + EventEnvelopes.Unwrap of every event type + EventTracing (Contracts)",
            ["Cascade.Contracts.dll", "Google.Protobuf.dll"],
            [typeof(InvalidProtocolBufferException), typeof(InvalidDataException)], Envelope),
        new("artifact", "ArtifactArchive.Unpack/ReadFile + ModelArtifact.Load + ReferenceProfile.FromJson (Cascade.Ml)",
            ["Cascade.Ml.dll", "Cascade.Ml.Evaluation.dll"],
            [typeof(ArtifactException), typeof(ArtifactRefusedException), typeof(ArgumentException)], Artifact),
        new("csv", "CsvTableReader + ColumnMapping + RecordMapper (cascade ingest) and CsvTable (cascade predict)",
            ["cascade.dll", "Cascade.Ml.dll", "Cascade.Ml.Evaluation.dll"],
            [typeof(IngestUsageException), typeof(CsvFormatException)], Csv),
        new("tensor-json", "InferenceRequestJson.Parse, the OIP v2 REST request body (Serving)",
            ["Cascade.Serving.dll"],
            [typeof(ArgumentException)], TensorJson),
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>
    /// <c>[u16 little-endian n][n bytes: DatasetSpec][rest: Record]</c>: the spec is validated as RegisterDataset does,
    /// the record as IngestBatch does; an accepted record is written as the event Ingestion appends, which must read
    /// back as the record and be byte for byte what Google.Protobuf writes for the same messages.
    /// </summary>
    private static void Record(byte[] input)
    {
        if (input.Length < 2) return;
        var specLength = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(input), input.Length - 2);
        var spec = DatasetSpec.Parser.ParseFrom(input, 2, specLength);
        var record = Contracts.Ingestion.V1.Record.Parser.ParseFrom(input, 2 + specLength, input.Length - 2 - specLength);
        var schema = DatasetSchema.From(spec);
        if (SchemaCompatibility.Check(schema, schema) is { Count: > 0 } problems)
        {
            throw new FuzzOracleException($"A schema is incompatible with itself: {string.Join("; ", problems)}");
        }
        var id = RecordIds.For(record);
        if (RecordValidator.Validate(schema, record, spec.MaxRecordBytes > 0 ? spec.MaxRecordBytes : 64 * 1024) is not null) return;
        // What every consumer of the data topic does with an accepted record (Features, the vocabulary scan).
        _ = record.EventTime.ToDateTimeOffset();

        var now = new Timestamp { Seconds = 1_800_000_000, Nanos = 5 };
        var written = DataRecordEnvelope.Write(spec.Name, 3, id, record, now, "cascade-ingestion", now, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        var payload = new DataRecord
        {
            Dataset = spec.Name, SchemaVersion = 3, RecordId = id, EntityId = record.EntityId, EventTime = record.EventTime,
            Values = { record.Values }, IngestedAt = now,
        };
        if (record.HasLabel) payload.Label = record.Label;
        var expected = new EventEnvelope
        {
            EventId = id, Type = DataRecord.Descriptor.FullName, SchemaVersion = 1, OccurredAt = now, Producer = "cascade-ingestion",
            Traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", PartitionKey = record.EntityId,
            Payload = payload.ToByteString(),
        };
        if (!written.AsSpan().SequenceEqual(expected.ToByteArray()))
        {
            throw new FuzzOracleException($"DataRecordEnvelope wrote {Convert.ToHexString(written)}, Google.Protobuf writes {Convert.ToHexString(expected.ToByteArray())}.");
        }
        var read = EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(written), DataRecord.Parser);
        if (read.EntityId != record.EntityId || !read.Values.Equals(record.Values) || read.HasLabel != record.HasLabel)
        {
            throw new FuzzOracleException("The appended event does not read back as the record.");
        }
    }

    // Static state is lazy: instrumented code must not run before SharpFuzz has set up its coverage map (it crashes).
    private static readonly Lazy<IReadOnlyDictionary<string, Func<EventEnvelope, IMessage>>> Unwrappers = new(() => EventsReflection.Descriptor.MessageTypes
        .ToDictionary(d => d.FullName, d => (Func<EventEnvelope, IMessage>)typeof(FuzzTargets).GetMethod(nameof(Unwrapper), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(d.ClrType).Invoke(null, [d.Parser])!, StringComparer.Ordinal));

    private static Func<EventEnvelope, IMessage> Unwrapper<T>(MessageParser<T> parser) where T : IMessage<T> => envelope => EventEnvelopes.Unwrap(envelope, parser);

    private static readonly ActivityListener Listener = StartListening();

    private static ActivityListener StartListening()
    {
        // EventTracing reads the traceparent only when someone listens (as the host's OpenTelemetry does).
        var listener = new ActivityListener
        {
            // By name: the callback runs while EventTracing's own static constructor creates the source.
            ShouldListenTo = source => source.Name == "Cascade.Events",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>
    /// An event as a consumer reads it off the log: the envelope, its traceparent, and the payload as the type it
    /// claims (or as a DataRecord, what a data-topic consumer expects, which must refuse any other type). Whatever
    /// parses must survive a round trip.
    /// </summary>
    private static void Envelope(byte[] input)
    {
        GC.KeepAlive(Listener);
        var envelope = EventEnvelope.Parser.ParseFrom(input);
        if (!EventEnvelope.Parser.ParseFrom(envelope.ToByteArray()).Equals(envelope))
        {
            throw new FuzzOracleException("An envelope does not survive a round trip.");
        }
        using (EventTracing.StartConsume("fuzz", envelope.Traceparent))
        using (EventTracing.StartBatch("fuzz", [envelope.Traceparent, envelope.Traceparent]))
        {
        }
        var payload = Unwrappers.Value.TryGetValue(envelope.Type, out var unwrap) ? unwrap(envelope) : EventEnvelopes.Unwrap(envelope, DataRecord.Parser);
        if (!payload.Descriptor.Parser.ParseFrom(payload.ToByteArray()).Equals(payload))
        {
            throw new FuzzOracleException($"A {payload.Descriptor.Name} does not survive a round trip.");
        }
    }

    /// <summary>
    /// A blob from the artifact store, as Serving (unpack, load, verify) and Monitoring (manifest and reference profile
    /// read in place) read it. The store checks each blob against its SHA-256, but the hashes inside come from whoever
    /// uploaded it: so the load runs twice, as given, and with the manifest's file hashes made right, which lets the
    /// fuzzer past the hash check into the model, profile and golden-sample readers.
    /// </summary>
    private static void Artifact(byte[] input)
    {
        var directory = Directory.CreateTempSubdirectory("cascade-fuzz-artifact-").FullName;
        try
        {
            try
            {
                var manifest = JsonDocument.Parse(ArtifactArchive.ReadFile(input, ArtifactFiles.Manifest));
                manifest.Dispose();
                ReferenceProfile.FromJson(ArtifactArchive.ReadFile(input, ArtifactFiles.ReferenceProfile));
            }
            catch (Exception ex) when (ex is ArtifactException or JsonException || ex.GetType() == typeof(ArgumentException))
            {
                // Monitoring's reading: JsonException from the manifest and ArgumentException from the profile are refusals there.
            }
            ArtifactArchive.Unpack(input, directory);
            LoadIgnoringRefusal(directory);
            if (FixHashes(directory))
            {
                ModelArtifact.Load(directory);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void LoadIgnoringRefusal(string directory)
    {
        try
        {
            ModelArtifact.Load(directory);
        }
        catch (ArtifactException ex) when (ex.GetType() == typeof(ArtifactException) || ex is ArtifactRefusedException)
        {
        }
    }

    /// <summary>Rewrites the manifest's <c>files</c> with the real hash of every other file; false when the manifest is no JSON object.</summary>
    private static bool FixHashes(string directory)
    {
        var path = Path.Combine(directory, ArtifactFiles.Manifest);
        if (!File.Exists(path)) return false;
        JsonObject manifest;
        try
        {
            if (JsonNode.Parse(File.ReadAllBytes(path)) is not JsonObject parsed) return false;
            manifest = parsed;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
        var files = new JsonObject();
        foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name == ArtifactFiles.Manifest) continue;
            files[name] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
        }
        try
        {
            manifest["files"] = files;
            File.WriteAllText(path, manifest.ToJsonString());
        }
        catch (InvalidOperationException)
        {
            return false; // a name or string of invalid UTF-8 has no JSON text to write back
        }
        return true;
    }

    private static readonly Lazy<DatasetSpec> CsvSpec = new(() => new DatasetSpec
    {
        Name = "fuzz", EntityColumn = "id", EventTimeColumn = "ts", LabelColumn = "y",
        Columns =
        {
            new ColumnSpec { Name = "f", Type = ValueType.Float64, Required = true },
            new ColumnSpec { Name = "n", Type = ValueType.Int64 },
            new ColumnSpec { Name = "s", Type = ValueType.String },
            new ColumnSpec { Name = "b", Type = ValueType.Bool },
        },
    });

    private static readonly Lazy<DatasetSchema> CsvSchema = new(() => DatasetSchema.From(CsvSpec.Value));

    /// <summary>
    /// A file given to <c>cascade ingest</c> (header matched to a dataset, rows mapped to records, each record then
    /// checked as Ingestion will) and to <c>cascade predict</c>'s table reader.
    /// </summary>
    private static void Csv(byte[] input)
    {
        var directory = Directory.CreateTempSubdirectory("cascade-fuzz-csv-").FullName;
        var path = Path.Combine(directory, "input.csv");
        try
        {
            File.WriteAllBytes(path, input);
            try
            {
                CsvTable.Read(path, labelColumn: "y", ignoreLabelIfPresent: true);
            }
            catch (CsvFormatException)
            {
            }
            IngestAsync(path).GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task IngestAsync(string path)
    {
        await using var reader = await CsvTableReader.OpenAsync(path, CancellationToken.None);
        var mapping = ColumnMapping.Create(CsvSpec.Value, reader.Columns, labels: true, idColumn: null);
        var mapper = new RecordMapper(mapping);
        await foreach (var row in reader.ReadAsync(mapping.Needed, CancellationToken.None))
        {
            if (mapper.Map(row, out var problem) is { } record)
            {
                if (string.IsNullOrEmpty(record.EntityId) || record.EventTime is null)
                {
                    throw new FuzzOracleException($"Line {row.Line} became a record without entity or event time.");
                }
                RecordValidator.Validate(CsvSchema.Value, record, 64 * 1024);
            }
            else if (problem is null || string.IsNullOrEmpty(problem.Reason))
            {
                throw new FuzzOracleException($"Line {row.Line} was refused without a reason.");
            }
        }
    }

    /// <summary>
    /// An OIP v2 <c>/infer</c> body, whole and split into three segments where the input says (Kestrel hands the
    /// body over in segments): both must read the same.
    /// </summary>
    private static void TensorJson(byte[] input)
    {
        RestInferenceRequest? whole = null;
        Exception? refusal = null;
        try
        {
            whole = InferenceRequestJson.Parse(new ReadOnlySequence<byte>(input));
        }
        catch (ArgumentException ex) when (ex.GetType() == typeof(ArgumentException))
        {
            refusal = ex;
        }
        var split = input.Length < 2 ? 0 : input[0] % input.Length;
        var segmented = Segments(input, split, split + (input.Length - split) / 2);
        RestInferenceRequest request;
        try
        {
            request = InferenceRequestJson.Parse(segmented);
        }
        catch (ArgumentException ex) when (ex.GetType() == typeof(ArgumentException) && refusal is not null)
        {
            return;
        }
        if (refusal is not null) throw refusal;
        if (request.Inputs.Count != whole!.Inputs.Count || !request.Inputs.Zip(whole.Inputs).All(p => p.First.Values.SequenceEqual(p.Second.Values) && p.First.Shape.SequenceEqual(p.Second.Shape)))
        {
            throw new FuzzOracleException("The body reads differently when it arrives in segments.");
        }
    }

    private static ReadOnlySequence<byte> Segments(byte[] input, int first, int second)
    {
        var a = new Segment(input.AsMemory(0, first), 0);
        var b = a.Append(input.AsMemory(first, second - first));
        var c = b.Append(input.AsMemory(second));
        return new ReadOnlySequence<byte>(a, 0, c, c.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
