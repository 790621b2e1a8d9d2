namespace Cascade.Features.Retention;

/// <summary>Where Features learns which model versions keep their artifacts, and so which training rows must stay.</summary>
public interface IKeptVersions
{
    /// <summary>
    /// Every version whose artifact is kept and whose lineage names training rows, at the time of the call (imported
    /// versions, which name none, are left out). Never a partial list: when it cannot be read whole, it throws.
    /// </summary>
    /// <exception cref="Exception">The list could not be read (registry unreachable, timed out, refused): the caller deletes nothing.</exception>
    Task<IReadOnlyList<KeptVersion>> ListAsync(CancellationToken cancellationToken);
}
