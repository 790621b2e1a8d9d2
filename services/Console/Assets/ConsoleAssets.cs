using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Cascade.WebConsole.Assets;

/// <summary>
/// The page's files, read once from the assembly (embedded from <c>wwwroot/</c>): each with its content type and a
/// hash of its bytes. <c>index.html</c> names the script and style sheet with their hash (<c>app.js?v=…</c>), so
/// browsers may keep those for a year while the page itself is revalidated on every load: a new build is seen at once.
/// </summary>
public sealed class ConsoleAssets
{
    private const string Prefix = "console/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".woff2"] = "font/woff2",
        [".json"] = "application/json",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, ConsoleAsset> _files;

    private ConsoleAssets(FrozenDictionary<string, ConsoleAsset> files) => _files = files;

    /// <summary>The page (<c>index.html</c>, with versioned links to its assets).</summary>
    public ConsoleAsset Page => _files["index.html"];

    /// <summary>An asset by its path under <c>/console/</c>, or null.</summary>
    public ConsoleAsset? Find(string path) => _files.GetValueOrDefault(path);

    /// <summary>Every asset's path.</summary>
    public IEnumerable<string> Paths => _files.Keys;

    /// <summary>Reads the embedded files of <paramref name="assembly"/>.</summary>
    /// <exception cref="InvalidOperationException">The build embedded no <c>index.html</c>, or a file of a type the console does not serve.</exception>
    public static ConsoleAssets Load(Assembly? assembly = null)
    {
        assembly ??= typeof(ConsoleAssets).Assembly;
        var raw = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            // MSBuild's RecursiveDir uses the build machine's separator.
            raw[name[Prefix.Length..].Replace('\\', '/')] = copy.ToArray();
        }
        if (!raw.TryGetValue("index.html", out var page))
        {
            throw new InvalidOperationException("The console's index.html is not embedded: build services/Console (its wwwroot/ holds the page).");
        }
        var files = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var (path, bytes) in raw.Where(f => f.Key != "index.html"))
        {
            files[path] = new ConsoleAsset(path, bytes, ContentTypeOf(path), Hash(bytes));
        }
        var html = Encoding.UTF8.GetString(page);
        foreach (var asset in files.Values)
        {
            html = html.Replace($"\"/console/{asset.Path}\"", $"\"/console/{asset.Path}?v={asset.Hash}\"", StringComparison.Ordinal);
        }
        var versioned = Encoding.UTF8.GetBytes(html);
        files["index.html"] = new ConsoleAsset("index.html", versioned, ContentTypeOf("index.html"), Hash(versioned));
        return new ConsoleAssets(files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static string ContentTypeOf(string path) =>
        ContentTypes.TryGetValue(Path.GetExtension(path), out var type)
            ? type
            : throw new InvalidOperationException($"The console embeds {path}, whose type it does not know: add its extension to ConsoleAssets.ContentTypes.");

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
}

/// <summary>One file of the page: its bytes, content type and hash (its ETag, and its version in links).</summary>
public sealed record ConsoleAsset(string Path, byte[] Content, string ContentType, string Hash)
{
    /// <summary>The quoted entity tag.</summary>
    public string ETag => $"\"{Hash}\"";
}
