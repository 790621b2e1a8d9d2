using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Storage;

namespace Cascade.Registry.Grpc;

/// <summary>
/// Pages of a model's versions (AIP-158 style): at most <c>page_size</c> versions, oldest first, and never more than
/// <see cref="MaxPageBytes"/> so a page fits the 4 MiB receive limit every gRPC client starts with. The token names the
/// last version returned; versions are only ever added, so a page never repeats or skips one.
/// </summary>
public static class VersionPages
{
    /// <summary>Versions per page when the request does not say.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The most versions a page holds, whatever the request asks.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>A page ends before it would pass this many bytes (it always holds one version).</summary>
    public const int MaxPageBytes = 2 * 1024 * 1024;

    private const string TokenPrefix = "after-version:";

    /// <exception cref="ArgumentException">A negative page size or a token this service did not issue.</exception>
    public static ListModelVersionsResponse Read(IRegistryStore store, ListModelVersionsRequest request)
    {
        if (request.PageSize < 0)
        {
            throw new ArgumentException($"page_size is {request.PageSize}; give 0 (the default, {DefaultPageSize}) or a positive number (at most {MaxPageSize} are returned).");
        }
        var pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        var after = After(request.PageToken);
        // One more than the page holds tells whether another page follows.
        var candidates = store.ListVersions(request.Model, after, pageSize + 1);
        var response = new ListModelVersionsResponse();
        var bytes = 0;
        foreach (var version in candidates.Take(pageSize))
        {
            var size = version.CalculateSize();
            if (response.Versions.Count > 0 && bytes + size > MaxPageBytes) break;
            response.Versions.Add(version);
            bytes += size;
        }
        if (response.Versions.Count < candidates.Count)
        {
            response.NextPageToken = Token(response.Versions[^1].Meta.Version);
        }
        return response;
    }

    private static string Token(int lastVersion) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(TokenPrefix + lastVersion.ToString(CultureInfo.InvariantCulture)));

    private static int After(string token)
    {
        if (string.IsNullOrEmpty(token)) return 0;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith(TokenPrefix, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(TokenPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var after))
            {
                return after;
            }
        }
        catch (FormatException)
        {
            // Not base64url: refused below like any other token this service did not issue.
        }
        throw new ArgumentException("page_token is not one this service issued: pass the next_page_token of the previous page, or leave it empty for the first page.");
    }
}
