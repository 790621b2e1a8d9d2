// The JSON shapes of the REST APIs the page reads (proto JSON: lowerCamelCase fields, enums by name, 64-bit integers
// as strings, default values may be absent). Only the fields the page uses.

export interface Model { name: string; description?: string; task?: string; championVersion?: number; challengerVersion?: number; latestVersion?: number; createdAt?: string }
export interface Lineage {
  dataset?: string; schemaVersion?: number; watermark?: { partitions?: { partition?: number; offset?: string }[] }; featureView?: string; featureViewVersion?: number;
  codeVersion?: string; parameters?: Record<string, string>; trainingJobId?: string; worker?: string; device?: string; duration?: string; trainingRows?: string; triggerReason?: string;
}
export interface Holdout { holdoutFingerprint?: string; holdoutRows?: string; candidateMetrics?: Record<string, number>; championVersion?: number; championMetrics?: Record<string, number> }
export interface ModelVersion {
  spec: { model: string; framework?: string; objective?: string; featureNames?: string[]; lineage?: Lineage; trainMetrics?: Record<string, number>; validationMetrics?: Record<string, number>; holdout?: Holdout; artifactSha256?: string };
  meta: { version: number; createdAt?: string; status?: string; aliases?: string[]; registeredBy?: string };
}
export interface AuditEntry { sequence?: string; time?: string; actor?: string; action?: string; model?: string; fromVersion?: number; toVersion?: number; reason?: string; evidenceJson?: string }
export interface FeatureDriftScore { feature?: string; psi?: number | string; ksStatistic?: number | string; ksPValue?: number | string; jensenShannon?: number | string; wasserstein?: number | string; chiSquaredPValue?: number | string }
export interface Alert {
  alertId: string; model: string; version?: number; severity?: string; kind?: string; statistic?: string; value?: number | string; threshold?: number | string;
  windowStart?: string; windowEnd?: string; windowSize?: string; topFeatures?: FeatureDriftScore[]; dedupKey?: string; detectedAt?: string; summary?: string;
}
export interface Acknowledgement { actor?: string; at?: string }
export interface AlertList { alerts?: Alert[]; acknowledgements?: Record<string, Acknowledgement> }
export interface Distribution {
  model?: string; version?: number; feature?: string; isPrediction?: boolean; binEdges?: number[]; referenceShares?: number[]; currentShares?: number[];
  referenceMissingShare?: number; currentMissingShare?: number; referenceCount?: string; windowSize?: number; windowStart?: string; windowEnd?: string;
}
export interface ModelHealth {
  model: string; version?: number; predictionsSeen?: string; labelsJoined?: string; features?: FeatureDriftScore[]; prediction?: FeatureDriftScore;
  performance?: Record<string, number>; detectors?: { name?: string; estimate?: number; width?: string; detections?: string }[]; windowSize?: number; noReferenceProfile?: boolean;
}
export interface DriftThresholds {
  psiWarning?: number; psiCritical?: number; ksPValueWarning?: number; ksPValueCritical?: number; jensenShannonWarning?: number; jensenShannonCritical?: number;
  wassersteinWarning?: number; wassersteinCritical?: number; calibrated?: boolean;
}
export interface DriftPoint { windowEnd?: string; endOffset?: string; count?: string; psi?: number | string; ksStatistic?: number | string; ksPValue?: number | string; jensenShannon?: number | string; wasserstein?: number | string; severity?: string }
export interface DriftSeries { version?: number; feature?: string; isPrediction?: boolean; categorical?: boolean; thresholds?: DriftThresholds; points?: DriftPoint[] }
export interface DriftHistory { model?: string; series?: DriftSeries[] }
export interface LoadedModel { model: string; version?: number; challengerVersion?: number; canaryPercent?: number; shadow?: boolean; predictions?: string; swaps?: string; loadedAt?: string }
export interface JobStatus {
  state?: string; attempts?: number; worker?: string; device?: string; error?: string; queuedAt?: string; startedAt?: string; finishedAt?: string;
  modelVersion?: number; promoted?: boolean; roundsDone?: number; roundsPlanned?: number;
}
export interface Job { id: string; spec?: { model?: string; triggerReason?: string; trigger?: string; alertIds?: string[] }; status?: JobStatus }
export interface Policy { spec?: { model?: string; dataset?: string; featureView?: string } }
export interface Freshness { featureView?: string; viewVersion?: number; freshnessP50Ms?: number; freshnessP99Ms?: number; freshnessSamples?: string }
export interface PipelineStatus {
  sampledAt?: string; rateWindowSeconds?: number; sources?: string[];
  ingest?: { dataset: string; acceptedPerSecond?: number; acceptedTotal?: string; rejectedTotal?: string; duplicateTotal?: string }[];
  consumerLag?: { group: string; topic: string; lag?: string }[];
  freshness?: { featureView: string; p50Ms?: number; p99Ms?: number; samples?: string }[];
  predictions?: { model: string; predictionsPerSecond?: number; predictionsTotal?: string; canaryPerSecond?: number; shadowPerSecond?: number }[];
}
export interface WhoAmI { authEnabled: boolean; authenticated: boolean; refused?: string | null; name: string; role?: string | null; models: string[]; may: Record<string, boolean> }
