using System.Collections;
using System.Collections.Frozen;
using System.Text;

namespace Cascade.Grpc;

/// <summary>gRPC metadata: an ordered multimap of lower-case keys to ASCII values, or to bytes for keys ending in <c>-bin</c>.</summary>
public sealed class Metadata : IEnumerable<Metadata.Entry>
{
    /// <summary>Suffix that marks a binary-valued key (sent base64-encoded on the wire).</summary>
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries = [];

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds an ASCII-valued entry.</summary>
    public Metadata Add(string key, string value)
    {
        var normalized = NormalizeKey(key);
        if (normalized.EndsWith(BinarySuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Metadata key '{key}' ends in '-bin': add its value as bytes.", nameof(key));
        }
        foreach (var c in value)
        {
            if (c < 0x20 || c > 0x7E)
            {
                throw new ArgumentException($"Metadata value for '{key}' must be printable ASCII; use a '-bin' key for other bytes.", nameof(value));
            }
        }
        _entries.Add(new Entry(normalized, value, null));
        return this;
    }

    /// <summary>Adds a binary-valued entry; the key must end in <c>-bin</c>.</summary>
    public Metadata Add(string key, byte[] value)
    {
        var normalized = NormalizeKey(key);
        if (!normalized.EndsWith(BinarySuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Binary metadata key '{key}' must end in '-bin'.", nameof(key));
        }
        _entries.Add(new Entry(normalized, null, value));
        return this;
    }

    /// <summary>Adds a copy of an entry (e.g. one read from another collection), validated like the other overloads.</summary>
    public Metadata Add(Entry entry) => entry.Bytes is not null ? Add(entry.Key, entry.Bytes) : Add(entry.Key, entry.Value ?? string.Empty);

    /// <summary>The first ASCII value of the key, or null.</summary>
    public string? GetValue(string key)
    {
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.OrdinalIgnoreCase) && entry.Value is not null)
            {
                return entry.Value;
            }
        }
        return null;
    }

    /// <summary>The first binary value of the key, or null.</summary>
    public byte[]? GetBytes(string key)
    {
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.OrdinalIgnoreCase) && entry.Bytes is not null)
            {
                return entry.Bytes;
            }
        }
        return null;
    }

    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Whether a header name is reserved by the protocol or HTTP/2 and must not surface as user metadata.</summary>
    internal static bool IsReserved(string key) =>
        key.StartsWith(':') ||
        key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase) ||
        ReservedHeaders.Contains(key);

    // Case-insensitive: HttpClient names known headers in title case ("Content-Type").
    private static readonly FrozenSet<string> ReservedHeaders = FrozenSet.ToFrozenSet(
    [
        "content-type", "te", "user-agent", "content-length", "host", "accept-encoding",
        // Connection-specific headers are forbidden in HTTP/2: Kestrel and SocketsHttpHandler reject them.
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
    ], StringComparer.OrdinalIgnoreCase);

    /// <summary>Decodes a header value received on the wire into an entry (base64 for '-bin' keys).</summary>
    internal void AddFromWire(string key, string value)
    {
        var normalized = key.ToLowerInvariant();
        if (normalized.EndsWith(BinarySuffix, StringComparison.Ordinal))
        {
            _entries.Add(new Entry(normalized, null, DecodeBase64(value)));
        }
        else
        {
            _entries.Add(new Entry(normalized, value, null));
        }
    }

    /// <summary>The header value to send for an entry.</summary>
    internal static string ToWireValue(Entry entry) =>
        entry.Bytes is not null ? Convert.ToBase64String(entry.Bytes).TrimEnd('=') : entry.Value!;

    private static byte[] DecodeBase64(string value)
    {
        // Peers may omit the padding (the spec allows both).
        var padded = value.Trim();
        var remainder = padded.Length % 4;
        if (remainder != 0)
        {
            padded += new string('=', 4 - remainder);
        }
        return Convert.FromBase64String(padded);
    }

    private static string NormalizeKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var lower = key.ToLowerInvariant();
        foreach (var c in lower)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.'))
            {
                throw new ArgumentException($"Metadata key '{key}' may contain only letters, digits, '-', '_' and '.'.", nameof(key));
            }
        }
        if (IsReserved(lower))
        {
            throw new ArgumentException($"Metadata key '{key}' is reserved by the gRPC protocol.", nameof(key));
        }
        return lower;
    }

    /// <summary>One metadata entry: exactly one of <see cref="Value"/> and <see cref="Bytes"/> is set.</summary>
    public readonly record struct Entry(string Key, string? Value, byte[]? Bytes)
    {
        /// <summary>Whether this is a binary ('-bin') entry.</summary>
        public bool IsBinary => Bytes is not null;

        /// <summary>The value as text (base64 for binary entries, without padding).</summary>
        public override string ToString() => $"{Key}={(Bytes is not null ? Convert.ToBase64String(Bytes) : Value)}";
    }

    internal static readonly Encoding Ascii = Encoding.ASCII;
}
