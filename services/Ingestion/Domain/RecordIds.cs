using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Ingestion.V1;

namespace Cascade.Ingestion.Domain;

/// <summary>
/// Record ids: the producer's, or one derived from the record's content (entity, event time, values by column name
/// with their type, label), so a re-sent record keeps its id whichever client sent it (a retried batch, a file
/// ingested again as CSV or as Parquet). Ids are scoped to the dataset by the store, so the name is not part of it.
/// </summary>
public static class RecordIds
{
    public static string For(Record record)
    {
        if (!string.IsNullOrEmpty(record.RecordId))
        {
            return record.RecordId;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> scratch = stackalloc byte[9];
        // A canonical form in which every part carries its length or a fixed width, so no two different records encode
        // alike; values sorted by column name (protobuf map order is not defined).
        AppendText(hash, record.EntityId);
        BinaryPrimitives.WriteInt64BigEndian(scratch, record.EventTime?.Seconds ?? 0);
        hash.AppendData(scratch[..8]);
        BinaryPrimitives.WriteInt32BigEndian(scratch, record.EventTime?.Nanos ?? 0);
        hash.AppendData(scratch[..4]);
        foreach (var (name, value) in record.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            AppendText(hash, name);
            switch (value.KindCase)
            {
                case Value.KindOneofCase.Float64Value:
                    scratch[0] = 1;
                    BinaryPrimitives.WriteDoubleBigEndian(scratch[1..], value.Float64Value);
                    hash.AppendData(scratch[..9]);
                    break;
                case Value.KindOneofCase.Int64Value:
                    scratch[0] = 2;
                    BinaryPrimitives.WriteInt64BigEndian(scratch[1..], value.Int64Value);
                    hash.AppendData(scratch[..9]);
                    break;
                case Value.KindOneofCase.StringValue:
                    hash.AppendData([3]);
                    AppendText(hash, value.StringValue);
                    break;
                case Value.KindOneofCase.BoolValue:
                    hash.AppendData([4, value.BoolValue ? (byte)1 : (byte)0]);
                    break;
                default:
                    hash.AppendData([0]);
                    break;
            }
        }
        if (record.HasLabel)
        {
            scratch[0] = 1;
            BinaryPrimitives.WriteDoubleBigEndian(scratch[1..], record.Label);
            hash.AppendData(scratch[..9]);
        }
        else
        {
            hash.AppendData([0]);
        }
        // 128 bits: collisions stay out of reach for any number of records a dataset will hold.
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }

    private static void AppendText(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
