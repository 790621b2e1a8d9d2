// The live alert stream: Server-Sent Events from /console/api/alerts/stream, read with fetch (EventSource cannot send
// an authorization header, and a key in a URL would end up in logs). The stream opens at once, replays recent alerts
// (the snapshot), then delivers new ones; a lost connection is retried with a growing delay.
import { authHeaders } from "./api";
import type { Acknowledgement, Alert } from "./types";

export type LiveState = "connecting" | "live" | "offline" | "refused";

export class AlertStream {
  readonly alerts = new Map<string, Alert>();
  /** Who acknowledged which alert and when: the stream's snapshot, then what this page learns (see acknowledged). */
  readonly acknowledgements = new Map<string, Acknowledgement>();
  state: LiveState = "connecting";
  private listeners = new Set<() => void>();
  private controller: AbortController | null = null;
  private retry = 1000;

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Newest first. */
  list(): Alert[] {
    return [...this.alerts.values()].sort((a, b) => (b.detectedAt ?? "").localeCompare(a.detectedAt ?? ""));
  }

  /** Records acknowledgements (alert id → who and when), as ListAlerts returns them. */
  acknowledged(entries: Record<string, Acknowledgement>): void {
    for (const [id, acknowledgement] of Object.entries(entries)) this.acknowledgements.set(id, acknowledgement);
    this.emit();
  }

  latestFor(model: string): Alert | undefined {
    return this.list().find((a) => a.model === model);
  }

  /** The models to watch: those a key is limited to (empty: every model). */
  constructor(private readonly models: string[] = []) {}

  start(): void {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    void this.run(controller);
  }

  stop(): void {
    this.controller?.abort();
    this.controller = null;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private setState(state: LiveState): void {
    this.state = state;
    this.emit();
  }

  private async run(controller: AbortController): Promise<void> {
    while (!controller.signal.aborted) {
      try {
        this.setState("connecting");
        const query = this.models.map((m) => `model=${encodeURIComponent(m)}`).join("&");
        const response = await fetch(`/console/api/alerts/stream${query ? `?${query}` : ""}`, { headers: { accept: "text/event-stream", ...authHeaders() }, signal: controller.signal });
        if (response.status === 401 || response.status === 403) {
          this.setState("refused");
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        await this.read(response.body, controller.signal);
      } catch (e) {
        if (controller.signal.aborted) return;
      }
      this.setState("offline");
      await new Promise((resolve) => setTimeout(resolve, this.retry));
      this.retry = Math.min(this.retry * 2, 15000);
    }
  }

  private async read(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.handle(block);
      }
    }
  }

  private handle(block: string): void {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue; // keep-alive comment
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (event === "open") {
      this.retry = 1000;
      this.setState("live");
    } else if (event === "acknowledgements" && data.length) {
      this.acknowledged((JSON.parse(data.join("\n")) as { acknowledgements?: Record<string, Acknowledgement> }).acknowledgements ?? {});
    } else if (event === "alert" && data.length) {
      const alert = JSON.parse(data.join("\n")) as Alert;
      this.alerts.set(alert.alertId, alert);
      this.emit();
    } else if (event === "failure") {
      // Monitoring refused or ended the stream: a refusal will not change by retrying.
      const status = (JSON.parse(data.join("\n") || "{}") as { status?: string }).status;
      if (status === "PermissionDenied" || status === "Unauthenticated") {
        this.setState("refused");
        this.stop();
      } else this.setState("offline");
    }
  }
}
