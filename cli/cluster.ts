/**
 * @module
 * A running edgeswift, as the operator commands (`status`, `dispersion`) reach it: its base URL,
 * a reseller admin's credentials (tempauth: `GET /auth/v1.0` with X-Auth-User and X-Auth-Key),
 * and requests with the token it gave. The options read the environment as the `swift` client
 * does (ST_AUTH, ST_USER, ST_KEY) and default to `npm start`'s Worker and the development reseller
 * admin of .dev.vars.
 */
import type { ArgsDef } from "citty";

/** `npm start`'s address, and the reseller admin of .dev.vars. */
export const DEFAULT_URL = "http://127.0.0.1:8787";
export const DEFAULT_USER = "admin:admin";
export const DEFAULT_KEY = "admin";
/** How long one request to the Worker may take. */
const REQUEST_TIMEOUT_MS = 60_000;

/** The options of every command that talks to a running edgeswift. */
export const CLUSTER_ARGS = {
  url: {
    type: "string",
    valueHint: "URL",
    description: `the Worker (default: the origin of $ST_AUTH, else ${DEFAULT_URL})`,
  },
  auth: {
    type: "string",
    alias: "A",
    valueHint: "URL",
    description: "tempauth's URL (default: $ST_AUTH, else <url>/auth/v1.0)",
  },
  user: {
    type: "string",
    alias: "U",
    valueHint: "account:user",
    description: `a reseller admin (default: $ST_USER, else ${DEFAULT_USER})`,
  },
  key: { type: "string", alias: "K", valueHint: "key", description: `its key (default: $ST_KEY, else ${DEFAULT_KEY})` },
} as const satisfies ArgsDef;

/** `--json`: what every command takes to print JSON for scripts instead of text. */
export const JSON_ARG = {
  json: { type: "boolean", description: "print JSON for scripts instead of text (no progress bars)" },
} as const satisfies ArgsDef;

/** The Worker could not be asked (unreachable, credentials refused, an answer not understood). */
export class ClusterError extends Error {
  override name = "ClusterError";
}

export interface ClusterOptions {
  url: string;
  authUrl: string;
  user: string;
  key: string;
}

/** The options given, else the environment's, else the defaults; a URL that is no URL is refused. */
export function clusterOptions(
  args: { url?: string | undefined; auth?: string | undefined; user?: string | undefined; key?: string | undefined },
  env: Readonly<Record<string, string | undefined>> = process.env,
): ClusterOptions {
  const stAuth = env.ST_AUTH === "" ? undefined : env.ST_AUTH;
  const authGiven = args.auth ?? stAuth;
  const url = trimSlash(args.url ?? (authGiven === undefined ? DEFAULT_URL : checkedUrl(authGiven, "--auth").origin));
  checkedUrl(url, "--url");
  const authUrl = authGiven ?? `${url}/auth/v1.0`;
  checkedUrl(authUrl, "--auth");
  return { url, authUrl, user: args.user ?? env.ST_USER ?? DEFAULT_USER, key: args.key ?? env.ST_KEY ?? DEFAULT_KEY };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function checkedUrl(text: string, option: string): URL {
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return url;
  } catch {
    // Said below.
  }
  throw new ClusterError(`${option} must be an http or https URL, not ${JSON.stringify(text)}`);
}

/** An answer read whole. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** A session with a running edgeswift: one token, fetched on first use. */
export class Cluster {
  readonly options: ClusterOptions;
  #session: Promise<{ token: string; storageUrl: string }> | null = null;

  constructor(options: ClusterOptions) {
    this.options = options;
  }

  /** The token and storage URL of the user (tempauth's X-Auth-Token and X-Storage-Url). */
  session(): Promise<{ token: string; storageUrl: string }> {
    this.#session ??= this.#authenticate();
    return this.#session;
  }

  async #authenticate(): Promise<{ token: string; storageUrl: string }> {
    const { authUrl, user, key } = this.options;
    const answer = await this.#fetch(authUrl, { headers: { "X-Auth-User": user, "X-Auth-Key": key } });
    const token = answer.headers.get("x-auth-token");
    const storageUrl = answer.headers.get("x-storage-url");
    if (answer.status !== 200 || token === null || storageUrl === null)
      throw new ClusterError(`GET ${authUrl} as ${user} answered ${answer.status}: ${oneLine(answer.text)}`);
    return { token, storageUrl };
  }

  /** A request to the Worker (`path` from its root, or a whole URL) with the token. */
  async request(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
    const { token } = await this.session();
    const url = /^https?:/.test(path) ? path : `${this.options.url}${path}`;
    return this.#fetch(url, { method, headers: { ...init.headers, "X-Auth-Token": token }, body: init.body ?? null });
  }

  /** A request without a token (`/healthcheck`). */
  anonymous(path: string): Promise<Answer> {
    return this.#fetch(`${this.options.url}${path}`, {});
  }

  /** A GET answering 200 with JSON, parsed; anything else is a ClusterError naming the answer. */
  async json(path: string): Promise<unknown> {
    const answer = await this.request("GET", path);
    return parsedJson(`GET ${path}`, answer);
  }

  /** A POST of JSON answering 200 with JSON, parsed. */
  async postJson(path: string, body: unknown): Promise<unknown> {
    const answer = await this.request("POST", path, {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return parsedJson(`POST ${path}`, answer);
  }

  async #fetch(url: string, init: RequestInit): Promise<Answer> {
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ClusterError(`${init.method ?? "GET"} ${url}: ${cause}`);
    }
  }
}

/** The JSON of a 200 answer; a ClusterError naming any other. */
export function parsedJson(what: string, answer: Answer): unknown {
  if (answer.status !== 200) throw new ClusterError(`${what} answered ${answer.status}: ${oneLine(answer.text)}`);
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw new ClusterError(`${what} answered no JSON: ${oneLine(answer.text)}`);
  }
}

/** A body on one short line, for a message. */
export function oneLine(text: string): string {
  const line = text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
