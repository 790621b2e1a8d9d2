// Small DOM helpers: every value from the APIs goes through esc() (or textContent) before it reaches the page.

export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function $(selector: string, root: ParentNode = document): HTMLElement {
  const found = root.querySelector(selector);
  if (!found) throw new Error(`no element ${selector}`);
  return found as HTMLElement;
}

export function fmt(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return "–";
  if (value !== 0 && Math.abs(value) < 0.001) return value.toExponential(1);
  return value.toLocaleString("en", { maximumFractionDigits: digits });
}

export function rate(value: number | undefined): string {
  return `${fmt(value ?? 0, 1)}/s`;
}

export function when(iso: string | undefined): string {
  if (!iso) return "–";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? esc(iso) : date.toLocaleString("en-GB", { hour12: false });
}

export function ago(iso: string | undefined): string {
  if (!iso) return "–";
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** SEVERITY_CRITICAL → critical; JOB_STATE_RUNNING → running. */
export function enumName(value: string | undefined, prefix: string): string {
  return (value ?? "").replace(prefix, "").toLowerCase().replace(/_/g, " ") || "unspecified";
}

export function badge(text: string, kind = text): string {
  return `<span class="badge ${esc(kind.replace(/\s+/g, "-"))}">${esc(text)}</span>`;
}

export function metrics(values: Record<string, number> | undefined): string {
  const entries = Object.entries(values ?? {});
  return entries.length ? entries.map(([k, v]) => `${esc(k)} ${fmt(Number(v), 4)}`).join(", ") : "–";
}

let toastTimer = 0;
export function toast(message: string, error = false): void {
  const el = $("#toast");
  el.textContent = message;
  el.className = error ? "show error" : "show";
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (el.className = ""), error ? 8000 : 4000);
}

/** Runs an action from a button: disables it meanwhile, reports the outcome. */
export async function act(button: HTMLButtonElement, what: string, action: () => Promise<unknown>, after?: () => void): Promise<void> {
  button.disabled = true;
  try {
    await action();
    toast(`${what}: done`);
    after?.();
  } catch (e) {
    toast(`${what} failed: ${(e as Error).message}`, true);
  } finally {
    button.disabled = false;
  }
}

export function errorBox(e: unknown): string {
  return `<p class="error">${esc((e as Error).message ?? e)}</p>`;
}
