/**
 * @module
 * A real browser against the S3 API's bucket CORS: Debian's Chromium, headless, driven by
 * playwright-core, loads a page from a second origin (a node:http server on another loopback port)
 * whose own script `fetch`es from the Worker: presigned PUT and GET URLs made here with the AWS SDK,
 * and an anonymous GET from a public-read bucket. The browser alone decides what the page may do
 * (its preflight, Access-Control-Allow-Origin, Access-Control-Expose-Headers); the Chrome DevTools
 * Protocol shows each preflight's answer and each CORS refusal. The page's log is saved as a
 * screenshot under test/clients/artefacts/ (not in git). Chromium missing fails the file.
 */

import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type BucketCannedACL,
  type CORSRule,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { type Browser, type CDPSession, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { CHROMIUM, md5, randomBody, requireChromium, uniqueName } from "./helpers";
import { failure, isolateSdkEnvironment, sdkClient } from "./s3/sdk";

const BASE_URL = inject("edgeswiftBaseUrl");
const SCREENSHOT = fileURLToPath(new URL("artefacts/s3-browser.png", import.meta.url));
/** Not CORS-safelisted as a Content-Type: with it (and PUT) the browser sends a preflight first. */
const CONTENT_TYPE = "application/octet-stream";
/** How long the end of a fetch the page has already seen end may take to arrive over DevTools. */
const END_WAIT_MS = 30_000;

/**
 * The page: a log the screenshot shows, and `s3Fetch(label, url, init)`, its own fetch with the
 * answer as plain data (status, the ETag header as the page can read it, the body in base64) or
 * the error it threw.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>edgeswift CORS</title></head>
<body style="font: 14px monospace; margin: 16px">
<h3>edgeswift S3 CORS, from another origin</h3>
<pre id="log"></pre>
<script>
const log = (line) => { document.getElementById("log").textContent += line + "\\n"; };
const toBytes = (base64) => Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
const toBase64 = (bytes) => {
  let binary = "";
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
};
window.s3Fetch = async (label, url, init) => {
  try {
    const request = init.body === undefined ? init : { ...init, body: toBytes(init.body) };
    const response = await fetch(url, request);
    const body = new Uint8Array(await response.arrayBuffer());
    const etag = response.headers.get("ETag");
    log(label + ": " + response.status + (etag ? " ETag " + etag : "") + ", " + body.length + " bytes");
    return { ok: true, status: response.status, etag, body: toBase64(body) };
  } catch (error) {
    log(label + ": " + error.name + ": " + error.message);
    return { ok: false, error: error.name, message: error.message };
  }
};
log("page origin " + location.origin);
</script>
</body></html>
`;

/** What the page's fetch came to. */
type Outcome =
  | { ok: true; status: number; etag: string | null; body: string }
  | { ok: false; error: string; message: string };

interface PageInit {
  method?: string;
  headers?: Record<string, string>;
  /** Base64 of the bytes to send. */
  body?: string;
}

/**
 * What DevTools saw of the page's fetch of one URL, once it finished: its preflight's status (null
 * when none was sent), and the browser's CORS refusal (null when the page got the answer).
 */
interface NetworkFacts {
  preflightStatus: number | null;
  corsError: string | null;
}

/** One URL's facts as they arrive, and their promise, kept when the page's fetch of it ends. */
interface Watched {
  facts: NetworkFacts;
  finished: Promise<NetworkFacts>;
  finish(): void;
}

isolateSdkEnvironment();
let s3: S3Client;
/**
 * Presigns PUTs as a browser upload needs: by default the SDK (since 3.729) signs the CRC32 of the
 * command's empty body into the URL (`x-amz-checksum-crc32=AAAAAA==`), which no real body matches,
 * on AWS as here (aws-sdk-js-v3 issue 6994); "WHEN_REQUIRED" leaves it out.
 */
let presigner: S3Client;
let site: Server;
let pageOrigin = "";
let browser: Browser | null = null;
let page: Page | null = null;
const watched = new Map<string, Watched>();

/** The watch on `url`, begun on its first event. */
function watchOf(url: string): Watched {
  let watch = watched.get(url);
  if (watch === undefined) {
    const facts: NetworkFacts = { preflightStatus: null, corsError: null };
    let finish = (): void => {};
    const finished = new Promise<NetworkFacts>((resolve) => {
      finish = () => resolve(facts);
    });
    watch = { facts, finished, finish };
    watched.set(url, watch);
  }
  return watch;
}

/**
 * Follows the page's fetches in DevTools' Network events: a preflight is answered (its own
 * request, type "Preflight") before its fetch finishes or fails, and one session's events come in order.
 */
async function watchNetwork(cdp: CDPSession): Promise<void> {
  const fetches = new Map<string, string>();
  const finish = (requestId: string, corsError: string | null): void => {
    const url = fetches.get(requestId);
    if (url === undefined) return;
    const watch = watchOf(url);
    watch.facts.corsError = corsError;
    watch.finish();
  };
  cdp.on("Network.requestWillBeSent", (event) => {
    if (event.type === "Fetch") fetches.set(event.requestId, event.request.url);
  });
  cdp.on("Network.responseReceived", (event) => {
    if (event.type === "Preflight") watchOf(event.response.url).facts.preflightStatus = event.response.status;
  });
  cdp.on("Network.loadingFinished", (event) => finish(event.requestId, null));
  cdp.on("Network.loadingFailed", (event) =>
    finish(event.requestId, event.corsErrorStatus?.corsError ?? event.errorText),
  );
  await cdp.send("Network.enable");
}

/** Serves PAGE at `/` on a loopback port of its own: the page's origin. */
async function startSite(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === "/") response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return server;
}

beforeAll(async () => {
  await requireChromium();
  s3 = sdkClient(BASE_URL);
  presigner = sdkClient(BASE_URL, { requestChecksumCalculation: "WHEN_REQUIRED" });
  site = await startSite();
  pageOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM });
  const opened = await browser.newPage();
  page = opened;
  await watchNetwork(await opened.context().newCDPSession(opened));
  await opened.goto(`${pageOrigin}/`);
});

afterAll(async () => {
  if (page !== null) {
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.info(`s3-browser: screenshot of the page saved to ${SCREENSHOT}`);
  }
  await browser?.close();
  if (site) await new Promise((resolve) => site.close(resolve));
  s3?.destroy();
  presigner?.destroy();
});

/** What the page's fetch came to, and what DevTools saw of it. */
interface Seen {
  outcome: Outcome;
  network: NetworkFacts;
}

/** Runs the page's own fetch of `url` (`label` goes to its log). */
async function pageFetch(label: string, url: string, init: PageInit = {}): Promise<Seen> {
  if (page === null) throw new Error("the page did not open");
  const outcome = await page.evaluate(
    ([label, url, init]) =>
      (window as unknown as { s3Fetch(label: string, url: string, init: PageInit): Promise<Outcome> }).s3Fetch(
        label,
        url,
        init,
      ),
    [label, url, init] as const,
  );
  return { outcome, network: await fetchEnded(url) };
}

/** The facts of the page's fetch of `url` once DevTools reports its end; an error if it never does. */
async function fetchEnded(url: string): Promise<NetworkFacts> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`DevTools reported no end of the page's fetch of ${url}`)), END_WAIT_MS);
  });
  try {
    return await Promise.race([watchOf(url).finished, silence]);
  } finally {
    clearTimeout(timer);
  }
}

/** The page's presigned PUT of `bytes`, with a Content-Type. */
async function pagePut(bucket: string, key: string, bytes: Buffer): Promise<Seen> {
  const command = new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: CONTENT_TYPE });
  const url = await getSignedUrl(presigner, command, { expiresIn: 300 });
  const init = { method: "PUT", headers: { "Content-Type": CONTENT_TYPE }, body: bytes.toString("base64") };
  return pageFetch(`PUT ${bucket}/${key}`, url, init);
}

/** The page's presigned GET. */
async function pageGet(bucket: string, key: string): Promise<Seen> {
  const url = await getSignedUrl(presigner, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
  return pageFetch(`GET ${bucket}/${key}`, url);
}

/** The rule of an upload page: `origin` may GET and PUT with any header, and read the `expose` headers. */
function uploadRule(origin: string, expose = ["ETag"]): CORSRule {
  return { AllowedOrigins: [origin], AllowedMethods: ["GET", "PUT"], AllowedHeaders: ["*"], ExposeHeaders: expose };
}

/** A new bucket (`acl` as CreateBucket's ACL), with `rules` as its CORS configuration unless none. */
async function newBucket(prefix: string, rules: readonly CORSRule[], acl?: BucketCannedACL): Promise<string> {
  const bucket = uniqueName(prefix);
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ACL: acl }));
  if (rules.length > 0)
    await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [...rules] } }));
  return bucket;
}

describe("Chromium, from a page of another origin, against bucket CORS", () => {
  it(
    "a presigned PUT with a Content-Type is preflighted (200) and stored, the page reads its exposed ETag, " +
      "and a presigned GET reads the bytes back exactly",
    async ({ expect }) => {
      const bucket = await newBucket("browser-cors", [uploadRule(pageOrigin)]);
      const bytes = randomBody(64 * 1024);
      const put = await pagePut(bucket, "from/page.bin", bytes);
      expect(put.outcome).toMatchObject({ ok: true, status: 200, etag: `"${md5(bytes)}"` });
      expect(put.network).toEqual({ preflightStatus: 200, corsError: null });
      const get = await pageGet(bucket, "from/page.bin");
      expect(get.outcome).toMatchObject({ ok: true, status: 200, etag: `"${md5(bytes)}"` });
      expect(get.outcome.ok && Buffer.from(get.outcome.body, "base64").equals(bytes)).toBe(true);
    },
  );

  it("without ExposeHeader ETag in the rule, the same PUT is stored but the page cannot read its ETag", async ({
    expect,
  }) => {
    const bucket = await newBucket("browser-unexposed", [uploadRule(pageOrigin, [])]);
    const bytes = randomBody(1024);
    const put = await pagePut(bucket, "hidden-etag.bin", bytes);
    expect(put.outcome).toMatchObject({ ok: true, status: 200, etag: null });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "hidden-etag.bin" }));
    expect(head.ETag).toBe(`"${md5(bytes)}"`);
  });

  it.for([
    ["without CORS rules", []],
    ["whose rule allows another origin only", [uploadRule("https://elsewhere.example")]],
  ] as const)(
    "to a bucket %s, the preflight is refused (403), the page's PUT fails with a TypeError and nothing is " +
      "stored; the page's presigned GET of an object put from Node fails too",
    async ([, rules], { expect }) => {
      const bucket = await newBucket("browser-refused", rules);
      const put = await pagePut(bucket, "refused.bin", randomBody(1024));
      expect(put.outcome).toMatchObject({ ok: false, error: "TypeError" });
      // Chrome names the refusal after the 403's missing Access-Control-Allow-Origin: a preflight's.
      expect(put.network).toEqual({ preflightStatus: 403, corsError: expect.stringMatching(/^Preflight/) });
      expect(await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "refused.bin" })))).toEqual({
        name: "NotFound",
        status: 404,
      });
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "from-node.txt", Body: "put from Node" }));
      const get = await pageGet(bucket, "from-node.txt");
      expect(get.outcome).toMatchObject({ ok: false, error: "TypeError" });
      expect(get.network).toEqual({ preflightStatus: null, corsError: "MissingAllowOriginHeader" });
    },
  );

  it("the page reads an object of a public-read bucket anonymously under a rule allowing any origin (*)", async ({
    expect,
  }) => {
    const bucket = await newBucket(
      "browser-public",
      [{ AllowedOrigins: ["*"], AllowedMethods: ["GET"] }],
      "public-read",
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "hello.txt", Body: "hello, anyone" }));
    const { outcome, network } = await pageFetch(
      `anonymous GET ${bucket}/hello.txt`,
      `${BASE_URL}/${bucket}/hello.txt`,
    );
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    expect(outcome.ok && Buffer.from(outcome.body, "base64").toString("utf8")).toBe("hello, anyone");
    expect(network).toEqual({ preflightStatus: null, corsError: null });
  });
});
