// A unary gRPC-Web call for the few requests REST cannot carry: an alert id holds '/' characters, which a REST path
// segment cannot (ASP.NET Core routing leaves %2F encoded, so /v1/alerts/{alert_id}:acknowledge never finds the alert).
// Messages here are flat strings, encoded by hand: field tag, length, UTF-8 bytes.
import { authHeaders } from "./api";

function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}

/** A message of string fields (field number → value); empty values are left out, as protobuf does. */
export function encodeStrings(fields: Record<number, string>): Uint8Array {
  const out: number[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (!value) continue;
    const utf8 = new TextEncoder().encode(value);
    out.push(...varint((Number(field) << 3) | 2), ...varint(utf8.length), ...utf8);
  }
  return new Uint8Array(out);
}

/** Calls /{service}/{method}; resolves when grpc-status is 0, else rejects with the status and message. */
export async function unary(path: string, message: Uint8Array): Promise<void> {
  const frame = new Uint8Array(5 + message.length);
  new DataView(frame.buffer).setUint32(1, message.length);
  frame.set(message, 5);
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", accept: "application/grpc-web+proto", ...authHeaders() },
    body: frame,
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  // Trailers-only answers carry the status in the headers; otherwise it is in the trailer frame (flag 0x80).
  let status = response.headers.get("grpc-status");
  let detail = response.headers.get("grpc-message") ?? "";
  const body = new Uint8Array(await response.arrayBuffer());
  for (let at = 0; status === null && at + 5 <= body.length; ) {
    const length = new DataView(body.buffer, body.byteOffset + at + 1, 4).getUint32(0);
    if (body[at] & 0x80) {
      const trailers = new TextDecoder().decode(body.subarray(at + 5, at + 5 + length));
      for (const line of trailers.split("\r\n")) {
        const colon = line.indexOf(":");
        const name = line.slice(0, colon).trim().toLowerCase();
        if (name === "grpc-status") status = line.slice(colon + 1).trim();
        if (name === "grpc-message") detail = line.slice(colon + 1).trim();
      }
    }
    at += 5 + length;
  }
  if (status !== "0") throw new Error(`gRPC status ${status ?? "missing"}: ${decodeURIComponent(detail)}`);
}
