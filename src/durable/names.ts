/**
 * @module
 * The names of the cluster's singleton Durable Objects, built here only: the control record
 * (`control`: fault plan, sweep cursors and reports, reaper queue) and each ring and zone's
 * summary (`summary/{ring}/{zone}`). Replica names are identity.ts's (`{ring}/{partition}/{slot}`).
 */

import type { Config } from "../config/config";
import { isRingName, type RingName } from "../ring/types";
import { countWork } from "../common/work";

/** The control record's name. */
export const CONTROL_NAME = "control";

/** The control record (one for the cluster), for one call: counted as one Durable Object request. */
export function controlStub(config: Pick<Config, "control">) {
  countWork("controlRequests");
  countWork("subrequests");
  return config.control.getByName(CONTROL_NAME);
}

/** The name of a ring's summary in one zone. */
export function ringSummaryName(ring: RingName, zone: string): string {
  return `summary/${ring}/${zone}`;
}

/** A ring's summary in one zone, for one call: counted as one Durable Object request. */
export function ringSummaryStub(config: Pick<Config, "ringSummary">, ring: RingName, zone: string) {
  countWork("summaryRequests");
  countWork("subrequests");
  return config.ringSummary.getByName(ringSummaryName(ring, zone));
}

/** The ring a summary's own name gives; null for a name no summary has. */
export function ringOfSummaryName(name: string | undefined): RingName | null {
  const [kind, ring] = (name ?? "").split("/");
  return kind === "summary" && isRingName(ring) ? ring : null;
}
