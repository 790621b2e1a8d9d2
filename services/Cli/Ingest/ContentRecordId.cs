using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Ingestion.V1;

namespace Cascade.Cli.Ingest;

/// <summary>
/// A record id derived from the dataset name and the record's content (entity, event time, values by column name,
/// label), so ingesting the same row again, from the same file or another (CSV or Parquet), yields the same id and
/// Ingestion counts it as a duplicate. Cells the dataset does not use (ignored columns, the label without
/// <c>--labels</c>) are not part of it.
/// </summary>
internal static class ContentRecordId
{
    private const string Prefix = "row-sha256:";

    public static string For(string dataset, Record record)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> scratch = stackalloc byte[9];
        // Every part carries its length or a fixed width, so no two different records encode alike.
        AppendText(hash, "cascade.ingest.row/v1");
        AppendText(hash, dataset);
        AppendText(hash, record.EntityId);
        BinaryPrimitives.WriteInt64BigEndian(scratch, record.EventTime.Seconds);
        hash.AppendData(scratch[..8]);
        BinaryPrimitives.WriteInt32BigEndian(scratch, record.EventTime.Nanos);
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
        // 128 bits: collisions stay out of reach for any number of rows a dataset will hold.
        return Prefix + Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
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
