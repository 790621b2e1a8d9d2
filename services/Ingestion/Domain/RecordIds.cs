using System.Security.Cryptography;
using System.Text;
using Cascade.Contracts.Ingestion.V1;
using Google.Protobuf;

namespace Cascade.Ingestion.Domain;

/// <summary>Record ids: the producer's, or one derived from the record's content so a re-sent record keeps its id.</summary>
public static class RecordIds
{
    public static string For(Record record)
    {
        if (!string.IsNullOrEmpty(record.RecordId))
        {
            return record.RecordId;
        }
        // A canonical form: entity, event time, values sorted by column name (protobuf map order is not defined), label.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(record.EntityId));
        hash.AppendData(record.EventTime?.ToByteArray() ?? []);
        foreach (var (name, value) in record.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData(value.ToByteArray());
        }
        if (record.HasLabel)
        {
            hash.AppendData(BitConverter.GetBytes(record.Label));
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }
}
