using Cascade.Contracts.Registry.V1;
using Grpc.Core;

namespace Cascade.Contracts;

/// <summary>Reads every page of a paged registry listing, for clients that show a model's whole history.</summary>
public static class RegistryPaging
{
    /// <summary>Every version of <paramref name="model"/>, oldest first, page after page under one set of call options (one deadline for all).</summary>
    public static async Task<IReadOnlyList<ModelVersion>> ListAllModelVersionsAsync(this Registry.V1.Registry.RegistryClient client, string model, CallOptions options)
    {
        var versions = new List<ModelVersion>();
        var request = new ListModelVersionsRequest { Model = model };
        while (true)
        {
            var page = await client.ListModelVersionsAsync(request, options);
            versions.AddRange(page.Versions);
            if (string.IsNullOrEmpty(page.NextPageToken)) return versions;
            request.PageToken = page.NextPageToken;
        }
    }
}
