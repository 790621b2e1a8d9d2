using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Streaming;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Monitoring.Tests.Streaming;

/// <summary>
/// The span reader of logged predictions reads what Google.Protobuf reads from the same bytes: on messages Google.Protobuf
/// writes, and on bytes it would accept but never write (fields in any order, unknown fields of every wire type, floats
/// unpacked or split into several packed runs, a field given twice, a timestamp given in two parts).
/// </summary>
public sealed class PredictionLogReaderTests
{
    private static readonly DateTimeOffset AppendedAt = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_payload_type_it_recognises_is_PredictionLogged() =>
        PredictionLogReader.PayloadTypeName.Should().Be(PredictionLogged.Descriptor.FullName);

    [Fact]
    public void It_reads_what_Google_Protobuf_parses_from_messages_Google_Protobuf_writes()
    {
        var random = new Random(11);
        var reader = new PredictionLogReader();
        for (var i = 0; i < 2_000; i++)
        {
            var logged = RandomPrediction(random);
            var envelope = EventEnvelopes.Wrap(logged, logged.Model, "cascade-serving", eventId: logged.PredictionId).ToByteArray();
            ReadsLikeGoogleProtobuf(reader, envelope, i);
        }
    }

    [Fact]
    public void It_reads_what_Google_Protobuf_parses_whatever_the_field_order_packing_and_unknown_fields()
    {
        var random = new Random(12);
        var reader = new PredictionLogReader();
        for (var i = 0; i < 2_000; i++)
        {
            var payload = Scrambled(RandomPrediction(random), random);
            ReadsLikeGoogleProtobuf(reader, ScrambledEnvelope(payload, random), i);
        }
    }

    [Fact]
    public void An_event_of_another_type_is_not_taken_for_a_prediction()
    {
        var promoted = EventEnvelopes.Wrap(new ModelPromoted { Model = "churn", Version = 2 }, "churn", "test").ToByteArray();

        PredictionLogReader.TryGetPayload(promoted, out _).Should().BeFalse();
        PredictionLogReader.TryGetPayload(ReadOnlySpan<byte>.Empty, out _).Should().BeFalse();
    }

    [Fact]
    public void Bytes_that_are_not_protobuf_are_refused_as_Google_Protobuf_refuses_them()
    {
        var logged = new PredictionLogged { PredictionId = "p1", Model = "churn", Version = 1, Features = { 1f, 2f }, Outputs = { 0.5f } };
        var envelope = EventEnvelopes.Wrap(logged, "churn", "test").ToByteArray();
        byte[][] broken =
        [
            [0xff, 0xff, 0xff, 0x01], // field number beyond any, wire type 7
            envelope[..^3], // the payload cut short
            [0x0b, 0x10, 0x01], // a group that never ends
            [0x0c], // an end-group with no start
        ];
        foreach (var bytes in broken)
        {
            FluentActions.Invoking(() => EventEnvelope.Parser.ParseFrom(bytes)).Should().Throw<InvalidProtocolBufferException>();
            FluentActions.Invoking(() => PredictionLogReader.TryGetPayload(bytes, out _)).Should().Throw<InvalidDataException>();
        }
        var payload = logged.ToByteArray();
        FluentActions.Invoking(() => new PredictionLogReader().Read(payload[..^2], 0, AppendedAt, out _)).Should().Throw<InvalidDataException>();
    }

    [Fact]
    public void A_time_outside_what_a_timestamp_can_hold_is_refused_as_Google_Protobuf_refuses_it()
    {
        var logged = new PredictionLogged { Model = "churn", Outputs = { 1f }, Time = new Timestamp { Seconds = 253_402_300_800 } };

        FluentActions.Invoking(() => logged.Time.ToDateTimeOffset()).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => new PredictionLogReader().Read(logged.ToByteArray(), 0, AppendedAt, out _)).Should().Throw<InvalidDataException>();
    }

    private static void ReadsLikeGoogleProtobuf(PredictionLogReader reader, byte[] envelopeBytes, int @case)
    {
        var envelope = EventEnvelope.Parser.ParseFrom(envelopeBytes);
        PredictionLogReader.TryGetPayload(envelopeBytes, out var payload).Should().BeTrue($"case {@case} carries a prediction");
        payload.ToArray().Should().Equal(envelope.Payload.ToByteArray(), $"case {@case}: the payload is the envelope's field 9");
        var expected = PredictionLogged.Parser.ParseFrom(envelope.Payload);

        var read = reader.Read(payload, 40 + @case, AppendedAt, out var shadow);

        var because = $"case {@case}: {expected}";
        read.PredictionId.Should().Be(expected.PredictionId, because);
        read.Model.Should().Be(expected.Model, because);
        read.Version.Should().Be(expected.Version, because);
        read.EntityId.Should().Be(expected.EntityId, because);
        read.Time.Should().Be(expected.Time?.ToDateTimeOffset() ?? AppendedAt, because);
        read.Offset.Should().Be(40 + @case);
        Bits(read.Features.Span).Should().Equal(Bits(expected.Features.ToArray()), because);
        Bits(read.Outputs.Span).Should().Equal(Bits(expected.Outputs.ToArray()), because);
        read.Withheld.ToArray().Should().Equal(expected.Withheld.SelectMany(w => w.Indexes), because);
        (read.Segment ?? "").Should().Be(expected.Segment, because);
        shadow.Should().Be(expected.Shadow, because);
    }

    // NaN payloads and negative zero compared exactly.
    private static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (var i = 0; i < values.Length; i++) bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }

    private static PredictionLogged RandomPrediction(Random random)
    {
        var logged = new PredictionLogged
        {
            PredictionId = random.Next(10) == 0 ? "" : Guid.NewGuid().ToString("N"),
            RequestId = random.Next(3) == 0 ? "" : $"req-{random.Next()}",
            Model = random.Next(20) == 0 ? "" : random.Next(3) switch { 0 => "churn", 1 => "fraud-v2", _ => "modèle-ü" },
            Version = random.Next(10) == 0 ? 0 : random.Next(5) == 0 ? -random.Next(1, 1000) : random.Next(1, 100_000),
            EntityId = random.Next(5) == 0 ? "" : $"customer-{random.Next(1_000_000)}-é",
            LatencyMicros = random.Next(4) == 0 ? 0 : random.NextInt64(long.MaxValue),
            Canary = random.Next(5) == 0,
            Shadow = random.Next(5) == 0,
        };
        logged.Features.Add(Floats(random, random.Next(8) == 0 ? 0 : random.Next(1, 40)));
        logged.Outputs.Add(Floats(random, random.Next(10) == 0 ? 0 : random.Next(1, 4)));
        if (random.Next(6) > 0)
        {
            // Times across the whole range a timestamp holds, and the epoch itself (a timestamp with no field set).
            logged.Time = random.Next(10) == 0 ? new Timestamp() : new Timestamp { Seconds = random.NextInt64(-62_135_596_800, 253_402_300_799), Nanos = random.Next(1_000_000_000) };
        }
        for (var w = random.Next(4) == 0 ? random.Next(1, 4) : 0; w > 0; w--)
        {
            var group = new WithheldFeature { Name = $"col{w}", Hash = random.Next(2) == 0 ? "" : "a1b2c3d4e5f60718" };
            group.Indexes.Add(Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(-2, 300)));
            logged.Withheld.Add(group);
        }
        // A few groups again and again (the reader keeps their text), now and then none.
        logged.Segment = random.Next(5) switch { 0 => "", 1 => "north", 2 => "≥ 50", 3 => "hash:a1b2c3d4e5f60718", _ => $"région-{random.Next(400)}" };
        return logged;
    }

    private static float[] Floats(Random random, int count) => Enumerable.Range(0, count).Select(_ => random.Next(12) switch
    {
        0 => float.NaN,
        1 => float.PositiveInfinity,
        2 => -0f,
        3 => BitConverter.Int32BitsToSingle(0x7fc00123), // a NaN with a payload
        _ => (float)(random.NextDouble() * 200 - 100),
    }).ToArray();

    /// <summary>
    /// The same prediction written by hand as Google.Protobuf never writes it: fields shuffled, unknown fields of every
    /// wire type among them, floats unpacked or in several packed runs, an id given twice (the last counts), the time
    /// split into a seconds part and a nanos part (merged).
    /// </summary>
    private static byte[] Scrambled(PredictionLogged logged, Random random)
    {
        var fields = new List<Action<CodedOutputStream>>();
        if (random.Next(3) == 0) fields.Add(o => String(o, 1, "an id overwritten below"));
        fields.Add(o => String(o, 1, logged.PredictionId));
        fields.Add(o => String(o, 2, logged.RequestId));
        fields.Add(o => String(o, 3, logged.Model));
        fields.Add(o => { o.WriteTag(4, WireFormat.WireType.Varint); o.WriteInt32(logged.Version); });
        fields.Add(o => String(o, 5, logged.EntityId));
        fields.AddRange(FloatRuns(6, logged.Features, random));
        fields.AddRange(FloatRuns(7, logged.Outputs, random));
        fields.Add(o => { o.WriteTag(8, WireFormat.WireType.Varint); o.WriteInt64(logged.LatencyMicros); });
        fields.Add(o => { o.WriteTag(9, WireFormat.WireType.Varint); o.WriteBool(logged.Canary); });
        // A bool as any non-zero varint.
        fields.Add(o => { o.WriteTag(10, WireFormat.WireType.Varint); o.WriteUInt64(logged.Shadow ? (ulong)random.Next(1, 300) : 0); });
        if (logged.Time is { } time)
        {
            if (random.Next(2) == 0)
            {
                fields.Add(o => Message(o, 11, t => { Unknown(t, random); t.WriteTag(1, WireFormat.WireType.Varint); t.WriteInt64(time.Seconds); }));
                fields.Add(o => Message(o, 11, t => { t.WriteTag(2, WireFormat.WireType.Varint); t.WriteInt32(time.Nanos); }));
            }
            else
            {
                fields.Add(o => Message(o, 11, t => { t.WriteTag(2, WireFormat.WireType.Varint); t.WriteInt32(time.Nanos); t.WriteTag(1, WireFormat.WireType.Varint); t.WriteInt64(time.Seconds); }));
            }
        }
        // Withheld groups keep their order (their indexes are concatenated in it); the other fields move around them.
        var withheld = logged.Withheld.Select(group => (Action<CodedOutputStream>)(o => Message(o, 12, m =>
        {
            String(m, 3, group.Hash);
            Unknown(m, random);
            if (random.Next(2) == 0)
            {
                foreach (var index in group.Indexes) { m.WriteTag(2, WireFormat.WireType.Varint); m.WriteInt32(index); }
            }
            else
            {
                m.WriteTag(2, WireFormat.WireType.LengthDelimited);
                m.WriteLength(group.Indexes.Sum(CodedOutputStream.ComputeInt32Size));
                foreach (var index in group.Indexes) m.WriteInt32(index);
            }
            String(m, 1, group.Name);
        }))).ToList();
        // The segment given twice now and then: the last counts.
        if (random.Next(3) == 0) fields.Add(o => String(o, 13, "a segment overwritten below"));
        var segment = (Action<CodedOutputStream>)(o => String(o, 13, logged.Segment));
        for (var u = random.Next(4); u > 0; u--) fields.Add(o => Unknown(o, random));
        var order = fields.OrderBy(_ => random.Next()).ToList();
        order.Add(segment);
        foreach (var group in withheld) order.Insert(random.Next(order.Count + 1), group);
        return Written(order);
    }

    /// <summary>An envelope around <paramref name="payload"/> with its fields shuffled, unknown ones among them, and the type given twice.</summary>
    private static byte[] ScrambledEnvelope(byte[] payload, Random random)
    {
        var fields = new List<Action<CodedOutputStream>>
        {
            o => String(o, 1, Guid.NewGuid().ToString("N")),
            o => { o.WriteTag(3, WireFormat.WireType.Varint); o.WriteInt32(1); },
            o => Message(o, 4, t => { t.WriteTag(1, WireFormat.WireType.Varint); t.WriteInt64(1_700_000_000); }),
            o => String(o, 5, "cascade-serving"),
            o => String(o, 6, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            o => String(o, 8, "churn"),
            o => { o.WriteTag(9, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(payload)); },
        };
        for (var u = random.Next(4); u > 0; u--) fields.Add(o => Unknown(o, random));
        var order = fields.OrderBy(_ => random.Next()).ToList();
        // The type's last occurrence counts: another type first, then the prediction's.
        order.Insert(0, o => String(o, 2, ModelPromoted.Descriptor.FullName));
        order.Insert(random.Next(1, order.Count + 1), o => String(o, 2, PredictionLogged.Descriptor.FullName));
        return Written(order);
    }

    /// <summary>A repeated float field as Google.Protobuf reads it but may not write it: unpacked, packed, or several packed runs.</summary>
    private static IEnumerable<Action<CodedOutputStream>> FloatRuns(int field, IReadOnlyList<float> values, Random random)
    {
        var all = values.ToArray();
        switch (random.Next(3))
        {
            case 0:
                // Unpacked values must keep their order relative to each other: one writer for them all.
                yield return o => { foreach (var v in all) { o.WriteTag(field, WireFormat.WireType.Fixed32); o.WriteFloat(v); } };
                break;
            case 1:
                yield return o => Packed(o, field, all);
                break;
            default:
                var cut = random.Next(all.Length + 1);
                yield return o => { Packed(o, field, all[..cut]); Packed(o, field, all[cut..]); };
                break;
        }
    }

    private static void Packed(CodedOutputStream output, int field, float[] values)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteLength(values.Length * sizeof(float));
        foreach (var v in values) output.WriteFloat(v);
    }

    /// <summary>A field no version of the schema has, of a random wire type (a group holding a varint among them).</summary>
    private static void Unknown(CodedOutputStream output, Random random)
    {
        var field = random.Next(100, 5_000);
        switch (random.Next(5))
        {
            case 0: output.WriteTag(field, WireFormat.WireType.Varint); output.WriteUInt64((ulong)random.NextInt64()); break;
            case 1: output.WriteTag(field, WireFormat.WireType.Fixed64); output.WriteFixed64((ulong)random.NextInt64()); break;
            case 2: output.WriteTag(field, WireFormat.WireType.LengthDelimited); output.WriteBytes(ByteString.CopyFrom(new byte[random.Next(20)])); break;
            case 3: output.WriteTag(field, WireFormat.WireType.Fixed32); output.WriteFixed32((uint)random.Next()); break;
            default:
                output.WriteTag(field, WireFormat.WireType.StartGroup);
                output.WriteTag(1, WireFormat.WireType.Varint);
                output.WriteInt32(7);
                output.WriteTag(field, WireFormat.WireType.EndGroup);
                break;
        }
    }

    private static void String(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static void Message(CodedOutputStream output, int field, Action<CodedOutputStream> write)
    {
        var bytes = Written([write]);
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(bytes));
    }

    private static byte[] Written(IEnumerable<Action<CodedOutputStream>> fields)
    {
        using var memory = new MemoryStream();
        using (var output = new CodedOutputStream(memory, leaveOpen: true))
        {
            foreach (var write in fields) write(output);
        }
        return memory.ToArray();
    }
}
