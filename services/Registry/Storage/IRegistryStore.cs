using Cascade.Contracts.Registry.V1;

namespace Cascade.Registry.Storage;

/// <summary>
/// Registry metadata: models, versions, aliases, the append-only audit log and the outbox of events not yet on the
/// log (SQLite embedded, PostgreSQL distributed). A change, its audit entry and the event announcing it are written
/// in one transaction, so no crash can keep a change that the log never hears of.
/// </summary>
public interface IRegistryStore
{
    /// <summary>Creates the model if it does not exist; returns it.</summary>
    Model EnsureModel(string name, TaskType task, string description = "");

    Model? GetModel(string name);

    IReadOnlyList<Model> ListModels();

    /// <summary>The version registered by a training job, if any (registration is idempotent by job).</summary>
    ModelVersion? FindByJob(string model, string jobId);

    /// <summary>
    /// Adds a version (status REGISTERED) with the next number, audits it, and returns it. <paramref name="announce"/>
    /// builds, from the new version number, the event that goes to the outbox in the same transaction.
    /// </summary>
    ModelVersion AddVersion(ModelVersionSpec spec, string registeredBy, Func<int, RegistryEvent>? announce = null);

    ModelVersion? GetVersion(string model, int version);

    /// <summary>Every version of a model, oldest first (retention's sweep; API pages use the overload).</summary>
    IReadOnlyList<ModelVersion> ListVersions(string model);

    /// <summary>Up to <paramref name="limit"/> versions numbered above <paramref name="afterVersion"/>, oldest first.</summary>
    IReadOnlyList<ModelVersion> ListVersions(string model, int afterVersion, int limit);

    /// <summary>The version an alias points to, or 0.</summary>
    int ResolveAlias(string model, string alias);

    /// <summary>
    /// Moves an alias atomically with the status changes and the audit entry. Fails (returns false) if the alias no
    /// longer points to <paramref name="expectedCurrent"/>: another promotion won, re-decide against the new champion.
    /// <paramref name="announce"/>, if given, goes to the outbox in the same transaction (nothing is written on failure).
    /// </summary>
    /// <exception cref="InvalidOperationException">The target version's artifact was collected by retention.</exception>
    bool MoveAlias(string model, string alias, int expectedCurrent, int to, AuditEntry audit, RegistryEvent? announce = null);

    /// <summary>
    /// Stores a model's traffic policy with its audit entry and, in the same transaction, the event that announces it.
    /// The audit entry's sequence becomes the policy's revision; <paramref name="announce"/> builds the event from it.
    /// Returns the model as stored, or null (writing nothing) when the model does not exist. The percent is stored as
    /// given: the domain validates it.
    /// </summary>
    Model? SetTrafficPolicy(string model, TrafficPolicy policy, AuditEntry audit, Func<long, RegistryEvent> announce);

    /// <summary>Sets a version's status and audits it (rejections).</summary>
    void SetStatus(string model, int version, VersionStatus status, AuditEntry audit);

    /// <summary>
    /// Records, with its audit entry and in one transaction, that retention collects this version's artifact
    /// (<c>artifact_collected_at</c> is set; the blob is deleted after the commit). Returns false and writes nothing
    /// when the version no longer qualifies: an alias points to it now, or it was collected already.
    /// </summary>
    bool MarkArtifactCollected(string model, int version, AuditEntry audit);

    IReadOnlyList<AuditEntry> Audit(string model, long afterSequence);

    /// <summary>
    /// Takes the right to relay the outbox, or returns null while another relay holds it (PostgreSQL: another
    /// replica). One relay at a time keeps events in commit order on the log. Dispose the lease to release it; a
    /// crashed holder's lease ends with its process or connection.
    /// </summary>
    IDisposable? TryLeaseOutbox();

    /// <summary>The oldest events not yet on the log, in commit order. Read them with the outbox lease held.</summary>
    IReadOnlyList<PendingEvent> PendingEvents(int limit);

    /// <summary>The log has these events: they leave the outbox.</summary>
    void EventsPublished(IReadOnlyList<long> sequences);
}

/// <summary>Messages the stores and the domain share, so a refusal reads the same wherever it is detected.</summary>
public static class RegistryStoreErrors
{
    public static string ArtifactCollected(string model, int version) =>
        $"v{version} of '{model}' cannot become champion or challenger: its artifact was collected by the retention policy (see the audit log); register a new version instead.";
}
