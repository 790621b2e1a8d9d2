using System.Text.Json;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Messaging;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Google.Protobuf;

namespace Cascade.Registry.Domain;

/// <summary>
/// The registry's rules: registration (idempotent by training job), the promotion gate, manual promotion and
/// rollback, each audited and announced on the log (<c>ModelTrained</c>, <c>ModelPromoted</c>, <c>ModelRolledBack</c>,
/// <c>ChallengerSet</c>). Each change is stored with its audit entry and its event in one transaction (the outbox);
/// <see cref="RegistryOutbox"/> appends the event to the log moments later, so an answer means "done, and announced
/// soon", even if the log is down or the process dies right after the commit.
/// </summary>
public sealed class ModelRegistry(IRegistryStore store, IArtifactStore artifacts, PromotionGate gate, RegistryOutbox outbox)
{
    /// <summary>Registers a trained version and lets the gate decide whether it becomes champion.</summary>
    /// <exception cref="ArgumentException">Invalid spec.</exception>
    /// <exception cref="ArtifactNotFoundException">The artifact is not in the store.</exception>
    public async Task<RegisterModelVersionResponse> RegisterAsync(ModelVersionSpec spec, string registeredBy, CancellationToken cancellationToken)
    {
        Validate(spec);
        if (!await artifacts.ExistsAsync(spec.ArtifactSha256, cancellationToken))
        {
            throw new ArtifactNotFoundException(spec.ArtifactSha256);
        }
        var jobId = spec.Lineage?.TrainingJobId ?? string.Empty;
        if (jobId.Length > 0 && store.FindByJob(spec.Model, jobId) is { } existing)
        {
            // A retried registration of the same job: same answer, nothing new.
            var champion = store.ResolveAlias(spec.Model, Aliases.Champion);
            return new RegisterModelVersionResponse { Version = existing, Promoted = champion == existing.Meta.Version, Decision = new GateDecision { Reason = "already registered by this training job" } };
        }
        store.EnsureModel(spec.Model, TaskFor(spec.Objective));
        var version = store.AddVersion(spec, registeredBy, number => new RegistryEvent(Topics.ModelsTrained, spec.Model,
            new ModelTrained { Model = spec.Model, Version = number, ArtifactSha256 = spec.ArtifactSha256, JobId = jobId, HoldoutMetrics = { spec.Holdout?.CandidateMetrics ?? new Google.Protobuf.Collections.MapField<string, double>() } }));
        outbox.Notify();

        while (true)
        {
            var championVersion = store.ResolveAlias(spec.Model, Aliases.Champion);
            var decision = gate.Decide(spec, championVersion);
            var evidence = JsonFormatter.Default.Format(decision);
            if (decision.Passed)
            {
                var audit = new AuditEntry { Actor = registeredBy, Action = "Promoted", Model = spec.Model, FromVersion = championVersion, ToVersion = version.Meta.Version, Reason = decision.Reason, EvidenceJson = evidence };
                if (!store.MoveAlias(spec.Model, Aliases.Champion, championVersion, version.Meta.Version, audit, Promoted(spec, version.Meta.Version, championVersion, decision.Reason, evidence, registeredBy)))
                {
                    continue; // another promotion won meanwhile: decide again against the new champion
                }
                outbox.Notify();
                return new RegisterModelVersionResponse { Version = store.GetVersion(spec.Model, version.Meta.Version), Decision = decision, Promoted = true };
            }
            if (gate.IsChallenger(spec, decision))
            {
                var current = store.ResolveAlias(spec.Model, Aliases.Challenger);
                var challenger = new RegistryEvent(Topics.ModelsChallenger, spec.Model, new ChallengerSet
                {
                    Model = spec.Model, Version = version.Meta.Version, PreviousChallenger = current, ArtifactSha256 = spec.ArtifactSha256,
                    FeatureView = spec.Lineage?.FeatureView ?? string.Empty, Reason = decision.Reason,
                });
                if (store.MoveAlias(spec.Model, Aliases.Challenger, current, version.Meta.Version,
                    new AuditEntry { Actor = registeredBy, Action = "ChallengerSet", Model = spec.Model, FromVersion = current, ToVersion = version.Meta.Version, Reason = decision.Reason, EvidenceJson = evidence },
                    challenger))
                {
                    outbox.Notify();
                }
            }
            else
            {
                store.SetStatus(spec.Model, version.Meta.Version, VersionStatus.Rejected,
                    new AuditEntry { Actor = registeredBy, Action = "Rejected", Model = spec.Model, FromVersion = championVersion, ToVersion = version.Meta.Version, Reason = decision.Reason, EvidenceJson = evidence });
            }
            return new RegisterModelVersionResponse { Version = store.GetVersion(spec.Model, version.Meta.Version), Decision = decision };
        }
    }

    /// <summary>Makes a version champion by hand: through the gate unless <paramref name="force"/>.</summary>
    /// <exception cref="KeyNotFoundException">Unknown model or version.</exception>
    /// <exception cref="InvalidOperationException">The gate refuses and force is off.</exception>
    public async Task<PromotionResult> PromoteAsync(string model, int version, string actor, string reason, bool force, CancellationToken cancellationToken)
    {
        var target = store.GetVersion(model, version) ?? throw new KeyNotFoundException($"Model '{model}' has no version {version}.");
        if (target.Meta.ArtifactCollectedAt is not null)
        {
            throw new InvalidOperationException(RegistryStoreErrors.ArtifactCollected(model, version));
        }
        var champion = store.ResolveAlias(model, Aliases.Champion);
        if (champion == version)
        {
            throw new InvalidOperationException($"v{version} of '{model}' is already the champion.");
        }
        var decision = force ? new GateDecision { Passed = true, Reason = "forced by " + actor } : gate.Decide(target.Spec, champion);
        if (!decision.Passed)
        {
            throw new InvalidOperationException($"The promotion gate refuses v{version}: {decision.Reason}. Use force to override (it is audited).");
        }
        var evidence = JsonFormatter.Default.Format(decision);
        var audit = new AuditEntry { Actor = actor, Action = force ? "PromotedManually" : "Promoted", Model = model, FromVersion = champion, ToVersion = version, Reason = reason, EvidenceJson = evidence };
        if (!store.MoveAlias(model, Aliases.Champion, champion, version, audit, Promoted(target.Spec, version, champion, reason, evidence, actor)))
        {
            throw new InvalidOperationException("The champion changed while promoting; try again.");
        }
        outbox.Notify();
        return new PromotionResult { Model = model, FromVersion = champion, ToVersion = version, Decision = decision };
    }

    /// <summary>Rolls the champion back: to <paramref name="toVersion"/>, or to the champion before the current one.</summary>
    public async Task<PromotionResult> RollbackAsync(string model, int toVersion, string actor, string reason, CancellationToken cancellationToken)
    {
        _ = store.GetModel(model) ?? throw new KeyNotFoundException($"Model '{model}' does not exist.");
        var champion = store.ResolveAlias(model, Aliases.Champion);
        if (champion == 0)
        {
            throw new InvalidOperationException($"Model '{model}' has no champion to roll back.");
        }
        if (toVersion == 0)
        {
            // The previous champion: the "from" of the promotion that made the current champion.
            toVersion = store.Audit(model, 0).LastOrDefault(a => a.ToVersion == champion && a.Action is "Promoted" or "PromotedManually" or "RolledBack")?.FromVersion ?? 0;
            if (toVersion == 0)
            {
                throw new InvalidOperationException($"v{champion} of '{model}' was the first champion: there is no previous one; name a version to roll back to.");
            }
        }
        var target = store.GetVersion(model, toVersion) ?? throw new KeyNotFoundException($"Model '{model}' has no version {toVersion}.");
        if (target.Meta.ArtifactCollectedAt is not null)
        {
            throw new InvalidOperationException(RegistryStoreErrors.ArtifactCollected(model, toVersion));
        }
        var audit = new AuditEntry { Actor = actor, Action = "RolledBack", Model = model, FromVersion = champion, ToVersion = toVersion, Reason = reason };
        var rolledBack = new RegistryEvent(Topics.ModelsRolledBack, model, new ModelRolledBack
        {
            Model = model, FromVersion = champion, ToVersion = toVersion, ArtifactUri = target.Spec.ArtifactUri, ArtifactSha256 = target.Spec.ArtifactSha256,
            Reason = reason, Actor = actor, FeatureView = target.Spec.Lineage?.FeatureView ?? string.Empty,
        });
        if (!store.MoveAlias(model, Aliases.Champion, champion, toVersion, audit, rolledBack))
        {
            throw new InvalidOperationException("The champion changed during the rollback; try again.");
        }
        outbox.Notify();
        return new PromotionResult { Model = model, FromVersion = champion, ToVersion = toVersion };
    }

    /// <summary>
    /// Stores a model's traffic policy (how much of its traffic the challenger answers or shadows), audited with
    /// <paramref name="actor"/> and <paramref name="reason"/> and announced as <c>TrafficPolicyChanged</c>, which every
    /// Serving replica follows. The policy is the registry's to keep so that replicas agree and a moved pod finds it.
    /// </summary>
    /// <exception cref="ArgumentException">No model named, or a canary share outside 0–100.</exception>
    /// <exception cref="KeyNotFoundException">The registry does not know the model.</exception>
    public Model SetTrafficPolicy(string model, double canaryPercent, bool shadow, string actor, string reason)
    {
        if (string.IsNullOrEmpty(model)) throw new ArgumentException("model is required.");
        if (!double.IsFinite(canaryPercent) || canaryPercent is < 0 or > 100)
        {
            throw new ArgumentException($"canary_percent must be between 0 and 100; got {canaryPercent}.");
        }
        var previous = (store.GetModel(model) ?? throw new KeyNotFoundException($"Model '{model}' does not exist in the registry.")).TrafficPolicy ?? new TrafficPolicy();
        var policy = new TrafficPolicy { CanaryPercent = canaryPercent, Shadow = shadow };
        var evidence = JsonSerializer.Serialize(new
        {
            from = new { canary_percent = previous.CanaryPercent, shadow = previous.Shadow },
            to = new { canary_percent = canaryPercent, shadow },
        });
        var audit = new AuditEntry { Actor = actor, Action = "TrafficPolicyChanged", Model = model, Reason = reason, EvidenceJson = evidence };
        var stored = store.SetTrafficPolicy(model, policy, audit, revision => new RegistryEvent(Topics.ModelsTraffic, model, new TrafficPolicyChanged
        {
            Model = model, CanaryPercent = canaryPercent, Shadow = shadow, Revision = revision, Actor = actor, Reason = reason,
        })) ?? throw new KeyNotFoundException($"Model '{model}' does not exist in the registry."); // deleted between the two reads
        outbox.Notify();
        return stored;
    }

    private static RegistryEvent Promoted(ModelVersionSpec spec, int version, int previous, string reason, string evidence, string actor) =>
        new(Topics.ModelsPromoted, spec.Model, new ModelPromoted
        {
            Model = spec.Model, Version = version, PreviousVersion = previous, ArtifactUri = spec.ArtifactUri, ArtifactSha256 = spec.ArtifactSha256,
            Reason = reason, GateEvidenceJson = evidence, Actor = actor, FeatureView = spec.Lineage?.FeatureView ?? string.Empty,
        });

    private static void Validate(ModelVersionSpec spec)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(spec.Model, "^[a-z0-9][a-z0-9_-]{0,63}$"))
        {
            throw new ArgumentException($"Model name '{spec.Model}' is invalid: use 1–64 lower-case letters, digits, '-' or '_'.");
        }
        if (spec.ArtifactSha256 is not { Length: 64 })
        {
            throw new ArgumentException("artifact_sha256 must be the 64-character SHA-256 of the stored artifact.");
        }
        if (spec.FeatureNames.Count == 0 || string.IsNullOrEmpty(spec.Objective))
        {
            throw new ArgumentException("A model version needs its objective and feature names.");
        }
        if (spec.Lineage?.Duration is { } duration && !Cascade.Contracts.Durations.IsNonNegative(duration))
        {
            // Found by fuzzing: a duration protobuf cannot normalise was stored, and every REST listing of the model's
            // versions then failed to write it as JSON.
            throw new ArgumentException("lineage.duration must be a non-negative duration (seconds ≥ 0, nanos in [0, 999999999]).");
        }
        if (spec.CalculateSize() is var size and > MaxSpecBytes)
        {
            // Found by fuzzing: versions of several MiB each made every listing of the model slow and too large for
            // clients' message limits. A version holds metadata; data belongs in its artifact.
            throw new ArgumentException($"The version's spec is {size:N0} bytes; at most {MaxSpecBytes:N0} are accepted (put large content in the artifact, not in metrics, tags or lineage).");
        }
    }

    /// <summary>The largest serialized <see cref="ModelVersionSpec"/> a registration may carry.</summary>
    public const int MaxSpecBytes = 1024 * 1024;

    private static TaskType TaskFor(string objective) => objective switch
    {
        "binary:logistic" => TaskType.BinaryClassification,
        "multi:softprob" => TaskType.MulticlassClassification,
        _ => TaskType.Regression,
    };
}
