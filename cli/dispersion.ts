/**
 * @module
 * `edgeswift dispersion`: swift-dispersion-populate and swift-dispersion-report in one. `populate`
 * places containers `dispersion_<n>` in the user's account over `--coverage` percent of the
 * container ring's partitions (Swift's dispersion_coverage, 1% by default), and for each storage
 * policy objects `dispersion_<n>` in container `dispersion_objects_<policy index>` over as many of
 * its object ring's partitions; names are tried in order and kept when they fall in a partition not
 * yet covered (the Worker says where: `POST /recon/dispersion` with `check: false`), so a re-run
 * picks the same names and creates only those missing. `report` lists what was placed and asks
 * the Worker which primaries of each partition hold it, and prints Swift's report per ring
 * ("Queried N objects for dispersion reporting, …", "X% of object copies found (F of E)", the
 * partitions missing 1, 2… copies); `--json` gives Swift's `--json` fields per ring. Without a
 * sub-command, both.
 */
import { defineCommand, type ArgsDef } from "citty";
import { Cluster, CLUSTER_ARGS, clusterOptions, ClusterError, JSON_ARG, oneLine } from "./cluster.ts";
import { printJson } from "./output.ts";
import { withProgress, type Progress } from "./progress.ts";
import { UsageError } from "./strict-args.ts";

/** Swift's names: containers `dispersion_<n>`, objects `dispersion_<n>` in `dispersion_objects_<policy index>`. */
export const DISPERSION_PREFIX = "dispersion_";
const CONTAINER_NAME = /^dispersion_\d+$/;
export const objectsContainer = (policyIndex: number): string => `${DISPERSION_PREFIX}objects_${policyIndex}`;
/** Names tried for each partition to cover, at most: a ring's candidates stop at this many per partition. */
const CANDIDATES_PER_PARTITION = 64;
/** Listing pages read at most (10,000 names each). */
const MAX_LISTING_PAGES = 1_000;
const LISTING_LIMIT = 10_000;

/** What GET /recon/rings says of the rings and policies. */
export interface Layout {
  rings: Record<string, { partitionCount: number; replicaCount: number; zones: { id: string }[] }>;
  policies: { index: number; name: string; ring: string; default: boolean; deprecated: boolean }[];
  maxDispersionItems: number;
}

/** One item of POST /recon/dispersion. */
interface Item {
  ring: string;
  account: string;
  container?: string;
  object?: string;
}

interface Placement {
  partition: number;
  primaries: string[];
  found?: string[];
}

/** One ring to place on and report: the container ring, or a policy's object ring. */
export interface Target {
  ring: string;
  kind: "container" | "object";
  /** The policy of an object ring. */
  policy: { index: number; name: string } | null;
  partitionCount: number;
}

/** How many partitions `coverage` percent of `partitionCount` is: Swift's count, but at least 1. */
export function partitionsToCover(coverage: number, partitionCount: number): number {
  return Math.min(partitionCount, Math.max(1, Math.floor((coverage / 100) * partitionCount + 1e-9)));
}

/** The percentage of copies found, Swift's `pct_found` (100 when none were expected). */
export function percentFound(found: number, expected: number): number {
  return expected === 0 ? 100 : (100 * found) / expected;
}

/**
 * Swift's line for the partitions missing `missing` of `replicas` copies:
 * "There were 2 partitions missing 1 copy.", "! There was 1 partition missing 2 copies." (one copy
 * left), "!!! There was 1 partition missing all copies.". Swift: cli/dispersion_report.py missing_string.
 */
export function missingString(partitions: number, missing: number, replicas: number): string {
  const exclamations = missing === replicas ? "!!! " : replicas - missing === 1 ? "! " : "";
  const count = missing === replicas ? "all" : String(missing);
  const [verb, noun] = partitions > 1 ? ["were", "partitions"] : ["was", "partition"];
  return `${exclamations}There ${verb} ${partitions} ${noun} missing ${count} ${missing === 1 ? "copy" : "copies"}.`;
}

/** One ring's report: Swift's --json fields, and what it queried. */
export interface RingReport {
  ring: string;
  policy: string | null;
  /** Containers or objects listed and queried. */
  queried: number;
  /** Distinct partitions among them. */
  partitions: number;
  overlapping: number;
  retries: number;
  copies_found: number;
  copies_expected: number;
  pct_found: number;
  /** Percent of the ring's partitions the sample covers. */
  pct_partition_space: number;
  seconds: number;
  /** Partitions missing N copies, for each N > 0 that occurred (Swift's `missing_N`). */
  [missing: `missing_${number}`]: number;
}

/** The report of one ring from its placements (one per item queried), as Swift counts it. */
export function ringReport(
  target: Target,
  placements: readonly Placement[],
  retries: number,
  seconds: number,
): RingReport {
  const byPartition = new Map<number, Placement>();
  for (const placement of placements)
    if (!byPartition.has(placement.partition)) byPartition.set(placement.partition, placement);
  let found = 0;
  let expected = 0;
  const missing = new Map<number, number>();
  for (const placement of byPartition.values()) {
    const copies = placement.found?.length ?? 0;
    found += copies;
    expected += placement.primaries.length;
    const gone = placement.primaries.length - copies;
    if (gone > 0) missing.set(gone, (missing.get(gone) ?? 0) + 1);
  }
  const report: RingReport = {
    ring: target.ring,
    policy: target.policy?.name ?? null,
    queried: placements.length,
    partitions: byPartition.size,
    overlapping: placements.length - byPartition.size,
    retries,
    copies_found: found,
    copies_expected: expected,
    pct_found: percentFound(found, expected),
    pct_partition_space: (100 * byPartition.size) / target.partitionCount,
    seconds,
  };
  for (const [count, partitions] of [...missing].sort(([a], [b]) => a - b)) report[`missing_${count}`] = partitions;
  return report;
}

/** Swift's report of one ring, in its words. */
export function renderRingReport(report: RingReport, replicas: number): string {
  const what = report.policy === null ? "container" : "object";
  const lines: string[] = [];
  if (report.policy !== null) lines.push(`Using storage policy: ${report.policy} (ring ${report.ring})`);
  if (report.queried === 0) {
    lines.push(`No ${what}s to query. Has "edgeswift dispersion populate" been run?`);
    return lines.join("\n");
  }
  lines.push(
    `Queried ${report.queried} ${what}s for dispersion reporting, ${Math.round(report.seconds)}s, ${report.retries} retries`,
  );
  if (report.overlapping > 0) lines.push(`There were ${report.overlapping} overlapping partitions`);
  for (const key of Object.keys(report).filter((name) => name.startsWith("missing_"))) {
    const missing = Number(key.slice("missing_".length));
    lines.push(missingString(report[key as `missing_${number}`], missing, replicas));
  }
  lines.push(
    `${report.pct_found.toFixed(2)}% of ${what} copies found (${report.copies_found} of ${report.copies_expected})`,
    `Sample represents ${report.pct_partition_space.toFixed(2)}% of the ${what} partition space`,
  );
  return lines.join("\n");
}

/** Runs `task` on each item, `concurrency` at a time, in order of start. */
async function eachLimited<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** The options of populate and report. */
export interface DispersionOptions {
  coverage: number;
  concurrency: number;
  retries: number;
  policies: string[] | null;
  containers: boolean;
  objects: boolean;
  json: boolean;
}

/** The rings to place on and report, from the layout and the options. */
export function targetsOf(
  layout: Layout,
  options: Pick<DispersionOptions, "policies" | "containers" | "objects">,
): Target[] {
  const targets: Target[] = [];
  const container = layout.rings.container;
  if (options.containers && container)
    targets.push({ ring: "container", kind: "container", policy: null, partitionCount: container.partitionCount });
  if (!options.objects) return targets;
  const known = layout.policies.map((policy) => policy.name);
  for (const name of options.policies ?? []) {
    if (!known.includes(name)) throw new UsageError(`--policy ${name}: the cluster's policies are ${known.join(", ")}`);
  }
  for (const policy of layout.policies) {
    const wanted = options.policies === null ? !policy.deprecated : options.policies.includes(policy.name);
    const ring = layout.rings[policy.ring];
    if (wanted && ring)
      targets.push({
        ring: policy.ring,
        kind: "object",
        policy: { index: policy.index, name: policy.name },
        partitionCount: ring.partitionCount,
      });
  }
  return targets;
}

/** A session's view of the dispersion account. */
class Dispersion {
  readonly #cluster: Cluster;
  readonly #layout: Layout;
  readonly #options: DispersionOptions;
  #account = "";
  #storageUrl = "";
  retries = 0;

  constructor(cluster: Cluster, layout: Layout, options: DispersionOptions) {
    this.#cluster = cluster;
    this.#layout = layout;
    this.#options = options;
  }

  async start(): Promise<void> {
    const { storageUrl } = await this.#cluster.session();
    this.#storageUrl = storageUrl.replace(/\/+$/, "");
    this.#account = decodeURIComponent(new URL(this.#storageUrl).pathname.split("/").filter(Boolean).at(-1) ?? "");
    if (this.#account === "") throw new ClusterError(`the storage URL ${storageUrl} names no account`);
  }

  get account(): string {
    return this.#account;
  }

  /** The item of name number `n` for a target. */
  item(target: Target, n: number): Item {
    const name = `${DISPERSION_PREFIX}${n}`;
    return target.kind === "container"
      ? { ring: target.ring, account: this.#account, container: name }
      : {
          ring: target.ring,
          account: this.#account,
          container: objectsContainer(target.policy?.index ?? 0),
          object: name,
        };
  }

  /** POST /recon/dispersion, retried (as Swift's direct requests are) on a failure or a 5xx. */
  async placements(items: readonly Item[], check: boolean): Promise<Placement[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const body = await this.#cluster.postJson("/recon/dispersion", { items, check });
        const placements = (body as { placements?: unknown }).placements;
        if (!Array.isArray(placements) || placements.length !== items.length)
          throw new ClusterError("POST /recon/dispersion answered no placements for the items");
        return placements as Placement[];
      } catch (error) {
        const retryable = error instanceof ClusterError && !/answered 4\d\d/.test(error.message);
        if (!retryable || attempt >= this.#options.retries) throw error;
        this.retries++;
      }
    }
  }

  /**
   * The name numbers to place on `target`: the first name of each partition in name order, until
   * `count` partitions are covered (or the candidates run out).
   */
  async chosen(target: Target, count: number): Promise<number[]> {
    const batch = this.#layout.maxDispersionItems;
    const chosen = new Map<number, number>();
    const limit = target.partitionCount * CANDIDATES_PER_PARTITION;
    for (let start = 0; chosen.size < count && start < limit; start += batch) {
      const numbers = Array.from({ length: batch }, (_, i) => start + i);
      const placements = await this.placements(
        numbers.map((n) => this.item(target, n)),
        false,
      );
      placements.forEach((placement, i) => {
        if (chosen.size < count && !chosen.has(placement.partition)) chosen.set(placement.partition, start + i);
      });
    }
    return [...chosen.values()];
  }

  /** The names in a listing (the account's, or a container's) starting with `dispersion_`. */
  async listed(container: string | null): Promise<string[]> {
    const names: string[] = [];
    let marker = "";
    for (let page = 0; page < MAX_LISTING_PAGES; page++) {
      const query = new URLSearchParams({
        format: "json",
        prefix: DISPERSION_PREFIX,
        limit: String(LISTING_LIMIT),
        marker,
      });
      const path = container === null ? "" : `/${encodeURIComponent(container)}`;
      const answer = await this.#cluster.request("GET", `${this.#storageUrl}${path}?${query}`);
      if (answer.status === 404 || answer.status === 204) return names;
      if (answer.status !== 200)
        throw new ClusterError(
          `listing ${container ?? this.#account} answered ${answer.status}: ${oneLine(answer.text)}`,
        );
      const entries = JSON.parse(answer.text) as { name?: string }[];
      for (const entry of entries) if (typeof entry.name === "string") names.push(entry.name);
      if (entries.length < LISTING_LIMIT) return names;
      marker = names.at(-1) ?? "";
    }
    return names;
  }

  /** A PUT below the storage URL; a ClusterError unless it answers 201 or 202. */
  async put(path: string, headers: Record<string, string>, body: string): Promise<void> {
    const encoded = path.split("/").map(encodeURIComponent).join("/");
    const answer = await this.#cluster.request("PUT", `${this.#storageUrl}/${encoded}`, { headers, body });
    if (answer.status !== 201 && answer.status !== 202)
      throw new ClusterError(`PUT ${path} answered ${answer.status}: ${oneLine(answer.text)}`);
  }

  /** Places `target`'s sample: what was there already is kept, what is missing is created. */
  async populate(target: Target): Promise<PopulateResult> {
    const begun = Date.now();
    const count = partitionsToCover(this.#options.coverage, target.partitionCount);
    const numbers = await this.chosen(target, count);
    const container = target.kind === "object" ? objectsContainer(target.policy?.index ?? 0) : null;
    if (container !== null) await this.put(container, { "X-Storage-Policy": target.policy?.name ?? "" }, "");
    const existing = new Set(await this.listed(container));
    const names = numbers.map((n) => `${DISPERSION_PREFIX}${n}`);
    const missing = names.filter((name) => !existing.has(name));
    const label = target.kind === "container" ? "placing containers" : `placing ${target.policy?.name} objects`;
    await withProgress(label, names.length, { json: this.#options.json }, async (progress: Progress) => {
      progress.increment(names.length - missing.length);
      await eachLimited(missing, this.#options.concurrency, async (name) => {
        if (container === null) await this.put(name, {}, "");
        else await this.put(`${container}/${name}`, { "Content-Type": "text/plain" }, name);
        progress.increment();
      });
    });
    return {
      ring: target.ring,
      policy: target.policy?.name ?? null,
      partitions: names.length,
      created: missing.length,
      reused: names.length - missing.length,
      seconds: (Date.now() - begun) / 1000,
    };
  }

  /** Queries every replica of what is placed on `target`. */
  async report(target: Target): Promise<RingReport> {
    const begun = Date.now();
    const retriesBefore = this.retries;
    const container = target.kind === "object" ? objectsContainer(target.policy?.index ?? 0) : null;
    const names = (await this.listed(container)).filter((name) => CONTAINER_NAME.test(name));
    const items = names.map((name) => this.item(target, Number(name.slice(DISPERSION_PREFIX.length))));
    const batches: Item[][] = [];
    for (let i = 0; i < items.length; i += this.#layout.maxDispersionItems)
      batches.push(items.slice(i, i + this.#layout.maxDispersionItems));
    const results: Placement[][] = new Array(batches.length);
    const label = target.kind === "container" ? "querying containers" : `querying ${target.policy?.name} objects`;
    await withProgress(label, items.length, { json: this.#options.json }, async (progress) => {
      let index = 0;
      const indexed = batches.map((batch) => ({ batch, at: index++ }));
      await eachLimited(indexed, this.#options.concurrency, async ({ batch, at }) => {
        results[at] = await this.placements(batch, true);
        progress.increment(batch.length);
      });
    });
    return ringReport(target, results.flat(), this.retries - retriesBefore, (Date.now() - begun) / 1000);
  }
}

/** What populate did on one ring. */
export interface PopulateResult {
  ring: string;
  policy: string | null;
  partitions: number;
  created: number;
  reused: number;
  seconds: number;
}

export function renderPopulate(result: PopulateResult): string {
  const what =
    result.policy === null ? "containers" : `objects of storage policy ${result.policy} (ring ${result.ring})`;
  return (
    `Created ${result.created} ${what} for dispersion reporting, ${Math.round(result.seconds)}s` +
    (result.reused > 0 ? ` (${result.reused} already placed, kept)` : "") +
    `: ${result.partitions} partitions covered`
  );
}

const DISPERSION_ARGS = {
  policy: {
    type: "string",
    valueHint: "name[,name]",
    description: "the storage policies whose object rings to cover (default: every policy not deprecated)",
  },
  "container-only": { type: "boolean", description: "the container ring alone" },
  "object-only": { type: "boolean", description: "the object rings alone" },
  concurrency: { type: "string", default: "8", valueHint: "N", description: "requests in flight" },
  retries: { type: "string", default: "5", valueHint: "N", description: "retries of a failed query (Swift: retries)" },
  ...CLUSTER_ARGS,
  ...JSON_ARG,
} as const satisfies ArgsDef;

const COVERAGE_ARG = {
  coverage: {
    type: "string",
    default: "1",
    valueHint: "percent",
    description: "percent of each ring's partitions to place a container or object on (Swift: dispersion_coverage)",
  },
} as const satisfies ArgsDef;

type Parsed = {
  [K in keyof typeof DISPERSION_ARGS]?: string | boolean | undefined;
} & { coverage?: string };

function wholeNumber(name: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw new UsageError(`--${name} must be a whole number >= ${min}, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** The options of a parsed command line; a UsageError for a value that is not one. */
export function dispersionOptions(args: Parsed): DispersionOptions {
  const coverageText = args.coverage ?? "1";
  const coverage = Number(coverageText);
  if (!/^\d+(\.\d+)?$/.test(coverageText) || coverage <= 0 || coverage > 100)
    throw new UsageError(
      `--coverage must be a percentage above 0 and at most 100, not ${JSON.stringify(coverageText)}`,
    );
  if (args["container-only"] && args["object-only"])
    throw new UsageError("--container-only and --object-only exclude each other");
  const policy = typeof args.policy === "string" ? args.policy : undefined;
  return {
    coverage,
    concurrency: wholeNumber("concurrency", String(args.concurrency ?? "8"), 1),
    retries: wholeNumber("retries", String(args.retries ?? "5"), 0),
    policies:
      policy === undefined
        ? null
        : policy
            .split(",")
            .map((name) => name.trim())
            .filter(Boolean),
    containers: !args["object-only"],
    objects: !args["container-only"],
    json: args.json === true,
  };
}

/** A session, the layout and the targets for a parsed command line. */
async function prepared(args: Parsed & { url?: string; auth?: string; user?: string; key?: string }) {
  const options = dispersionOptions(args);
  const cluster = new Cluster(clusterOptions(args));
  const layout = (await cluster.json("/recon/rings")) as Layout;
  if (typeof layout?.maxDispersionItems !== "number" || typeof layout.rings !== "object")
    throw new ClusterError("GET /recon/rings answered no ring layout");
  const targets = targetsOf(layout, options);
  const dispersion = new Dispersion(cluster, layout, options);
  await dispersion.start();
  return { options, layout, targets, dispersion };
}

async function populateAll(state: Awaited<ReturnType<typeof prepared>>): Promise<Record<string, PopulateResult>> {
  const results: Record<string, PopulateResult> = {};
  for (const target of state.targets) {
    results[target.ring] = await state.dispersion.populate(target);
    if (!state.options.json) console.log(renderPopulate(results[target.ring] as PopulateResult));
  }
  return results;
}

async function reportAll(state: Awaited<ReturnType<typeof prepared>>): Promise<Record<string, RingReport>> {
  const reports: Record<string, RingReport> = {};
  for (const target of state.targets) {
    reports[target.ring] = await state.dispersion.report(target);
    if (!state.options.json)
      console.log(
        renderRingReport(reports[target.ring] as RingReport, state.layout.rings[target.ring]?.replicaCount ?? 0),
      );
  }
  return reports;
}

const populateCommand = defineCommand({
  meta: {
    name: "populate",
    description:
      "place the dispersion containers and objects (Swift: swift-dispersion-populate); a re-run keeps what is placed",
  },
  args: { ...COVERAGE_ARG, ...DISPERSION_ARGS },
  async run({ args }) {
    const state = await prepared(args);
    const populated = await populateAll(state);
    if (state.options.json) printJson({ account: state.dispersion.account, populate: populated });
    return 0;
  },
});

const reportCommand = defineCommand({
  meta: {
    name: "report",
    description: "the percentage of the placed copies found, per ring (Swift: swift-dispersion-report)",
  },
  args: DISPERSION_ARGS,
  async run({ args }) {
    const state = await prepared(args);
    const reports = await reportAll(state);
    if (state.options.json) printJson({ account: state.dispersion.account, report: reports });
    return 0;
  },
});

const bothCommand = defineCommand({
  meta: { name: "run", description: "populate (keeping what is placed), then report" },
  args: { ...COVERAGE_ARG, ...DISPERSION_ARGS },
  async run({ args }) {
    const state = await prepared(args);
    const populated = await populateAll(state);
    const reports = await reportAll(state);
    if (state.options.json) printJson({ account: state.dispersion.account, populate: populated, report: reports });
    return 0;
  },
});

export const dispersionCommand = defineCommand({
  meta: {
    name: "dispersion",
    description:
      "place sample containers and objects over a share of each ring's partitions and report the copies found " +
      "(swift-dispersion-populate and -report); without a command: run",
  },
  default: "run",
  subCommands: { populate: populateCommand, report: reportCommand, run: bothCommand },
});
