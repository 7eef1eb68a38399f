/**
 * @module
 * Helpers for integration tests: requests through the Worker's own fetch, as a client would send
 * them, with tokens for the development users.
 */

import { env, exports } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../src/index";
import type { DashboardFigures } from "../src/proxy/dashboard/figures";

export const BASE = "http://edgeswift.test";

const tokens = new Map<string, string>();

/** A token for a development user (`test:tester` / `testing` by default). */
export async function tokenFor(user = "test:tester", key = "testing"): Promise<string> {
  const cached = tokens.get(user);
  if (cached) return cached;
  const response = await exports.default.fetch(`${BASE}/auth/v1.0`, {
    headers: { "X-Auth-User": user, "X-Auth-Key": key },
  });
  await response.arrayBuffer();
  const token = response.headers.get("x-auth-token");
  if (!token) throw new Error(`no token for ${user}: ${response.status}`);
  tokens.set(user, token);
  return token;
}

export interface SwiftInit {
  headers?: Record<string, string>;
  body?: BodyInit | null;
  /** Send as this user; null for an anonymous request. */
  user?: [string, string] | null;
}

/** A Swift API request; `path` is below /v1 (e.g. `/AUTH_test/c/o`). */
export async function swift(method: string, path: string, init: SwiftInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.user !== null) {
    const [user, key] = init.user ?? ["test:tester", "testing"];
    headers.set("X-Auth-Token", await tokenFor(user, key));
  }
  return exports.default.fetch(`${BASE}/v1${path}`, { method, headers, body: init.body ?? null });
}

/** Reads a response's body as text (every test consumes its bodies). */
export async function text(response: Response): Promise<string> {
  return response.text();
}

let counter = 0;
/** A container name unique within a test file. */
export function unique(prefix = "c"): string {
  counter += 1;
  return `${prefix}${counter}`;
}

/** A response read whole: its status, body text and headers. */
export interface Sent {
  status: number;
  body: string;
  headers: Headers;
}

/** A Swift API request (as `swift`), its response read whole. */
export async function send(method: string, path: string, init: SwiftInit = {}): Promise<Sent> {
  const response = await swift(method, path, init);
  return { status: response.status, body: await text(response), headers: response.headers };
}

/** A PUT (as `swift`); its status, the body read. */
export async function putStatus(path: string, init: SwiftInit = {}): Promise<number> {
  return statusOf("PUT", path, init);
}

/** A Swift request's status, its body read. */
export async function statusOf(method: string, path: string, init: SwiftInit = {}): Promise<number> {
  const response = await swift(method, path, init);
  await text(response);
  return response.status;
}

/**
 * A Swift API request with the tester's token through a Worker whose environment has `vars`
 * replaced, as a deployment configured otherwise answers it; its background work waited for.
 */
export async function swiftWithVars(
  vars: Partial<Env>,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const ctx = createExecutionContext();
  const token = await tokenFor();
  const request = new Request(`${BASE}/v1${path}`, { method, headers: { "X-Auth-Token": token, ...headers } });
  const response = await worker.fetch(request, { ...env, ...vars } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** The reseller admin's request to an operator route (`/dashboard/data`, `/recon/sweep`…); throws unless 200. */
async function asResellerAdmin(method: string, path: string): Promise<Response> {
  const response = await exports.default.fetch(`${BASE}${path}`, {
    method,
    headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
  });
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${await text(response)}`);
  return response;
}

/** Every figure of the operators' dashboard, as `GET /dashboard/data` answers the reseller admin. */
export async function dashboardData(): Promise<DashboardFigures> {
  return (await asResellerAdmin("GET", "/dashboard/data")).json();
}

/** Runs the ring sweeps now (`POST /recon/sweep?only=sweep`), as the reseller admin. */
export async function sweepNow(): Promise<void> {
  await text(await asResellerAdmin("POST", "/recon/sweep?only=sweep"));
}
