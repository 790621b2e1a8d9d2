// Charts drawn with uPlot: drift statistics over time with their warning and critical thresholds, a bar chart of
// the current window's drift per feature, and the current window's distribution beside the reference's. Colours come from the theme's CSS variables.
import uPlot from "uplot";
import { num } from "./api";
import { fmt } from "./ui";
import type { Distribution, DriftSeries, FeatureDriftScore } from "./types";

export type Statistic = "psi" | "ksPValue" | "wasserstein" | "jensenShannon";

export const Statistics: Record<Statistic, { label: string; warning: keyof NonNullable<DriftSeries["thresholds"]>; critical: keyof NonNullable<DriftSeries["thresholds"]>; lowerIsDrift?: boolean }> = {
  psi: { label: "PSI", warning: "psiWarning", critical: "psiCritical" },
  ksPValue: { label: "KS p-value", warning: "ksPValueWarning", critical: "ksPValueCritical", lowerIsDrift: true },
  wasserstein: { label: "Wasserstein (normalised)", warning: "wassersteinWarning", critical: "wassersteinCritical" },
  jensenShannon: { label: "Jensen-Shannon", warning: "jensenShannonWarning", critical: "jensenShannonCritical" },
};

const charts = new Set<uPlot>();

function css(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

function axes(): uPlot.Axis[] {
  const stroke = css("--muted");
  const grid = { stroke: css("--grid"), width: 1 };
  return [
    { stroke, grid, ticks: grid },
    { stroke, grid, ticks: grid, size: 60 },
  ];
}

/** Removes the charts of the page being left. */
export function disposeCharts(): void {
  for (const chart of charts) chart.destroy();
  charts.clear();
}

/** One window of a feature's (or the prediction's) drift: when it ended, the statistic, and the thresholds it was judged by. */
export interface DriftSample {
  at: number; // window end, seconds since the epoch
  value: number | null;
  warning: number;
  critical: number;
}

/** Per series key (the feature, or "prediction"), every version's windows in time order, each with its version's thresholds. */
export function mergeVersions(series: DriftSeries[], statistic: Statistic): Map<string, { label: string; versions: number[]; samples: DriftSample[] }> {
  const spec = Statistics[statistic];
  const merged = new Map<string, { label: string; versions: number[]; samples: DriftSample[] }>();
  for (const s of series) {
    if (s.categorical && statistic !== "jensenShannon") continue; // PSI, KS and Wasserstein do not apply to categories
    const key = s.isPrediction ? "\u0000prediction" : `f:${s.feature}`;
    const entry = merged.get(key) ?? { label: s.isPrediction ? "prediction" : s.feature ?? "", versions: [], samples: [] };
    entry.versions.push(s.version ?? 0);
    for (const p of s.points ?? []) {
      const v = num(p[statistic]);
      entry.samples.push({
        at: new Date(p.windowEnd ?? 0).getTime() / 1000,
        value: Number.isFinite(v) ? v : null,
        warning: num(s.thresholds?.[spec.warning]),
        critical: num(s.thresholds?.[spec.critical]),
      });
    }
    merged.set(key, entry);
  }
  for (const entry of merged.values()) entry.samples.sort((a, b) => a.at - b.at);
  return merged;
}

/** A statistic over time, with the warning and critical thresholds in force at each window as dashed step lines. */
export function driftChart(target: HTMLElement, samples: DriftSample[], statistic: Statistic): void {
  const spec = Statistics[statistic];
  // One window alone would give uPlot no span to draw the thresholds over: widen the axis by a minute each side.
  const padded = samples.length === 1
    ? [{ ...samples[0], at: samples[0].at - 60, value: null }, samples[0], { ...samples[0], at: samples[0].at + 60, value: null }]
    : samples;
  const x = padded.map((p) => p.at);
  const data: uPlot.AlignedData = [x, padded.map((p) => p.value), padded.map((p) => p.warning), padded.map((p) => p.critical)];
  const step = uPlot.paths.stepped!({ align: 1 });
  const chart = new uPlot(
    {
      width: Math.max(280, (target.clientWidth || 436) - 16),
      height: 180,
      legend: { live: false },
      scales: { x: { time: true } },
      axes: axes(),
      series: [
        {},
        { label: spec.label, stroke: css("--accent"), width: 2, spanGaps: false, points: { show: samples.length < 60 } },
        { label: "warning", stroke: css("--warning"), width: 1, dash: [6, 4], paths: step, points: { show: false } },
        { label: "critical", stroke: css("--critical"), width: 1, dash: [2, 3], paths: step, points: { show: false } },
      ],
    },
    data,
    target,
  );
  charts.add(chart);
}

/** The current window's drift per feature (bars), with the warning threshold as a line. */
export function currentDriftChart(target: HTMLElement, scores: FeatureDriftScore[], warning: number, critical: number): void {
  const x = scores.map((_, i) => i);
  const psi = scores.map((s) => {
    const v = num(s.psi);
    return Number.isFinite(v) ? v : null;
  });
  const bars = uPlot.paths.bars!({ size: [0.6, 60] });
  const chart = new uPlot(
    {
      width: Math.max(280, (target.clientWidth || 436) - 16),
      height: 200,
      legend: { live: false },
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, scores.length - 0.5)] } },
      axes: [{ ...axes()[0], values: (_u, ticks) => ticks.map((t) => scores[t]?.feature ?? ""), space: 40 }, axes()[1]],
      series: [
        {},
        { label: "PSI now", stroke: css("--accent"), fill: css("--accent-fill"), paths: bars, points: { show: false } },
        { label: "warning", stroke: css("--warning"), dash: [6, 4], points: { show: false } },
        { label: "critical", stroke: css("--critical"), dash: [2, 3], points: { show: false } },
      ],
    },
    [x, psi, x.map(() => warning), x.map(() => critical)],
    target,
  );
  charts.add(chart);
}

/** "< 0.2", "[0.2, 0.5)", "≥ 0.8" for the bins the reference's inner edges make, then "missing" when either side has any. */
export function binLabels(edges: number[], withMissing: boolean): string[] {
  const e = edges.map((v) => fmt(v, 3));
  const labels = edges.length === 0 ? ["all"] : [`< ${e[0]}`, ...e.slice(1).map((v, i) => `[${e[i]}, ${v})`), `≥ ${e[e.length - 1]}`];
  return withMissing ? [...labels, "missing"] : labels;
}

/** The reference's share per bin beside the current window's (grouped bars): what moved, bin by bin. */
export function distributionChart(target: HTMLElement, d: Distribution): void {
  const reference = (d.referenceShares ?? []).map(num);
  const current = (d.currentShares ?? []).map(num);
  const withMissing = num(d.referenceMissingShare) > 0 || num(d.currentMissingShare) > 0;
  if (withMissing) {
    reference.push(num(d.referenceMissingShare));
    current.push(num(d.currentMissingShare));
  }
  const labels = binLabels((d.binEdges ?? []).map(num), withMissing);
  const x = labels.map((_, i) => i);
  const chart = new uPlot(
    {
      width: Math.max(280, (target.clientWidth || 436) - 16),
      height: 220,
      legend: { live: false },
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, labels.length - 0.5)] }, y: { range: (_u, _min, max) => [0, Math.max(0.05, max * 1.1)] } },
      axes: [{ ...axes()[0], values: (_u, ticks) => ticks.map((t) => labels[t] ?? ""), space: 30 }, { ...axes()[1], values: (_u, ticks) => ticks.map((t) => `${fmt(t * 100, 1)}%`) }],
      series: [
        {},
        // Two bars per bin: the reference left of the tick, the current window right of it.
        { label: "reference", stroke: css("--muted"), fill: css("--grid"), paths: uPlot.paths.bars!({ size: [0.4, 40], align: -1 }), points: { show: false } },
        { label: "current", stroke: css("--accent"), fill: css("--accent-fill"), paths: uPlot.paths.bars!({ size: [0.4, 40], align: 1 }), points: { show: false } },
      ],
    },
    [x, reference, current],
    target,
  );
  charts.add(chart);
}
