using System.Text;

namespace Cascade.EventLog.Abstractions;

/// <summary>
/// Kafka's default partitioner for keyed records: <c>toPositive(murmur2(utf8(key))) % partitions</c>. Using the same
/// function in the embedded log keeps an entity in the same partition number in both deployments.
/// </summary>
public static class KafkaPartitioner
{
    public static int Partition(string key, int partitions)
    {
        // Keys are short (entity ids, model names): encoded on the stack, not allocated for every record appended.
        const int StackLimit = 512;
        var maxBytes = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> utf8 = maxBytes <= StackLimit ? stackalloc byte[StackLimit] : new byte[maxBytes];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        return (Murmur2(utf8[..length]) & 0x7fffffff) % partitions;
    }

    /// <summary>Kafka's <c>Utils.murmur2</c> (seed 0x9747b28c).</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = 0x9747b28cu ^ (uint)length;
        var blocks = length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = (uint)(data[i * 4] | data[i * 4 + 1] << 8 | data[i * 4 + 2] << 16 | data[i * 4 + 3] << 24);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        var tail = length & ~3;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= m;
                break;
        }
        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
