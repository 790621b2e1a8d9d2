using Cascade.Contracts.Registry.V1;

namespace Cascade.Registry.Storage;

/// <summary>Registry metadata: models, versions, aliases and the append-only audit log (SQLite embedded, PostgreSQL distributed).</summary>
public interface IRegistryStore
{
    /// <summary>Creates the model if it does not exist; returns it.</summary>
    Model EnsureModel(string name, TaskType task, string description = "");

    Model? GetModel(string name);

    IReadOnlyList<Model> ListModels();

    /// <summary>The version registered by a training job, if any (registration is idempotent by job).</summary>
    ModelVersion? FindByJob(string model, string jobId);

    /// <summary>Adds a version (status REGISTERED) with the next number, audits it, and returns it.</summary>
    ModelVersion AddVersion(ModelVersionSpec spec, string registeredBy);

    ModelVersion? GetVersion(string model, int version);

    IReadOnlyList<ModelVersion> ListVersions(string model);

    /// <summary>The version an alias points to, or 0.</summary>
    int ResolveAlias(string model, string alias);

    /// <summary>
    /// Moves an alias atomically with the status changes and the audit entry. Fails (returns false) if the alias no
    /// longer points to <paramref name="expectedCurrent"/>: another promotion won, re-decide against the new champion.
    /// </summary>
    bool MoveAlias(string model, string alias, int expectedCurrent, int to, AuditEntry audit);

    /// <summary>Sets a version's status and audits it (rejections).</summary>
    void SetStatus(string model, int version, VersionStatus status, AuditEntry audit);

    IReadOnlyList<AuditEntry> Audit(string model, long afterSequence);
}
