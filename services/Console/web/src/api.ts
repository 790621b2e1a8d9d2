// Calls to Cascade's REST APIs on this origin (the all-in-one host serves them; the distributed console forwards them),
// with the key or token the operator signed in with. Errors carry the service's message so the page can show it.

const TokenKey = "cascade.token";

export function token(): string | null {
  return sessionStorage.getItem(TokenKey);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TokenKey, value);
  else sessionStorage.removeItem(TokenKey);
}

export function authHeaders(): Record<string, string> {
  const t = token();
  return t ? { authorization: `Bearer ${t}` } : {};
}

export class ApiError extends Error {
  constructor(public readonly status: number, message: string) {
    super(message);
  }
}

/** Called when a request is refused for want of credentials: the page asks for a key. */
let onUnauthenticated: () => void = () => {};
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...authHeaders() };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    if (response.status === 401) onUnauthenticated();
    const message = json?.error ?? json?.message ?? json?.detail ?? (text || response.statusText);
    throw new ApiError(response.status, `${response.status}: ${message}`);
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body: unknown = {}) => api<T>("POST", path, body);
export const put = <T>(path: string, body: unknown = {}) => api<T>("PUT", path, body);

export const enc = encodeURIComponent;

/** Proto JSON writes 64-bit integers as strings and NaN as "NaN": read either as a number. */
export function num(value: unknown): number {
  if (value === undefined || value === null || value === "") return 0;
  return typeof value === "number" ? value : Number(value);
}
