/**
 * @module
 * Storage policies (Swift: common/storage_policy.py, swift.conf `[storage-policy:N]`): each a
 * name, aliases and an object ring of its own (`object` for policy 0, `object-<N>` for the
 * others), so one cluster keeps some containers on three zones and others on two or one. Parsed
 * from STORAGE_POLICIES by parseStoragePolicies, with Swift's rules; pure.
 */

import { SwiftError } from "../common/errors.ts";
import { MAX_POLICY_INDEX, objectRingName, type ObjectRingName } from "../ring/types.ts";

export interface StoragePolicy {
  index: number;
  name: string;
  /** The name first, then the other aliases (Swift lists them so in /info). */
  aliases: readonly string[];
  isDefault: boolean;
  /** Still served, but no new container may choose it (Swift: deprecated = yes). */
  deprecated: boolean;
  ring: ObjectRingName;
}

/** The policies of a cluster, by index, and the default one. */
export interface StoragePolicies {
  /** In index order. */
  all: readonly StoragePolicy[];
  byIndex: ReadonlyMap<number, StoragePolicy>;
  default: StoragePolicy;
}

/** A thrown STORAGE_POLICIES that Swift would refuse; the message says why. */
export class StoragePolicyError extends Error {
  override name = "StoragePolicyError";
}

/** Swift's legacy name, reserved for index 0 (storage_policy.LEGACY_POLICY_NAME). */
export const LEGACY_POLICY_NAME = "Policy-0";

/** Names become header names (X-Account-Storage-Policy-<name>-…): Swift's VALID_CHARS. */
const NAME_PATTERN = /^[A-Za-z0-9-]+$/;

/**
 * STORAGE_POLICIES: policies separated by `;` or newlines, each `<index> <name>` followed by any
 * of `default`, `deprecated` and `aliases=<alias>,<alias>`; e.g.
 * `0 gold default aliases=yellow; 1 silver; 2 local`. Unset or empty is Swift's single
 * `0 Policy-0 default`. Swift's rules: policy 0 exists, indexes and names (aliases included,
 * case-insensitively) are unique, names are letters, digits and `-`, `Policy-0` names only
 * policy 0, exactly one default (a lone policy is the default), and the default is not deprecated.
 */
export function parseStoragePolicies(text: string): StoragePolicies {
  const entries = text
    .split(/[;\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  const policies = entries.length
    ? entries.map(parseEntry)
    : [
        {
          index: 0,
          name: LEGACY_POLICY_NAME,
          aliases: [LEGACY_POLICY_NAME],
          isDefault: true,
          deprecated: false,
          ring: "object" as const,
        },
      ];
  policies.sort((a, b) => a.index - b.index);
  const byIndex = new Map<number, StoragePolicy>();
  const names = new Map<string, number>();
  for (const policy of policies) {
    if (byIndex.has(policy.index)) throw new StoragePolicyError(`names policy ${policy.index} twice`);
    byIndex.set(policy.index, policy);
    for (const alias of policy.aliases) {
      const other = names.get(alias.toUpperCase());
      if (other !== undefined)
        throw new StoragePolicyError(`gives the name "${alias}" to policy ${other} and policy ${policy.index}`);
      names.set(alias.toUpperCase(), policy.index);
      if (alias.toUpperCase() === LEGACY_POLICY_NAME.toUpperCase() && policy.index !== 0) {
        throw new StoragePolicyError(
          `gives policy ${policy.index} the name "${alias}", which is reserved for policy 0`,
        );
      }
    }
  }
  if (!byIndex.has(0)) throw new StoragePolicyError("has no policy 0 (Swift requires one)");
  if (policies.length === 1 && policies[0]) policies[0] = { ...policies[0], isDefault: true };
  const defaults = policies.filter((policy) => policy.isDefault);
  const [first] = defaults;
  if (!first) throw new StoragePolicyError("marks no policy default");
  if (defaults.length > 1)
    throw new StoragePolicyError(`marks policies ${defaults.map((p) => p.index).join(" and ")} default; one may be`);
  if (first.deprecated) throw new StoragePolicyError(`marks the default policy ${first.index} deprecated`);
  return { all: policies, byIndex: new Map(policies.map((policy) => [policy.index, policy])), default: first };
}

function parseEntry(entry: string): StoragePolicy {
  const [indexText = "", name, ...options] = entry.split(/\s+/);
  if (!/^(0|[1-9][0-9]*)$/.test(indexText) || Number(indexText) > MAX_POLICY_INDEX) {
    throw new StoragePolicyError(
      `has "${entry}": want "<index> <name> [default] [deprecated] [aliases=a,b]", index 0..${MAX_POLICY_INDEX}`,
    );
  }
  const index = Number(indexText);
  if (name === undefined) throw new StoragePolicyError(`names no name for policy ${index}`);
  const aliases = [name];
  let isDefault = false;
  let deprecated = false;
  for (const option of options) {
    if (option === "default") isDefault = true;
    else if (option === "deprecated") deprecated = true;
    else if (option.startsWith("aliases=")) aliases.push(...option.slice("aliases=".length).split(",").filter(Boolean));
    else
      throw new StoragePolicyError(
        `has an unknown option "${option}" for policy ${index} (want default, deprecated or aliases=a,b)`,
      );
  }
  const bad = aliases.find((alias) => !NAME_PATTERN.test(alias));
  if (bad !== undefined)
    throw new StoragePolicyError(
      `has the name "${bad}" for policy ${index}: names are letters, digits and "-" (they become header names)`,
    );
  return { index, name, aliases, isDefault, deprecated, ring: objectRingName(index) };
}

/** The policy a name or alias names, case-insensitively (Swift: get_by_name); null for none. */
export function policyByName(policies: StoragePolicies, name: string): StoragePolicy | null {
  const wanted = name.toUpperCase();
  return policies.all.find((policy) => policy.aliases.some((alias) => alias.toUpperCase() === wanted)) ?? null;
}

/**
 * The policy of a stored index. An index no policy has (a container whose policy was taken out
 * of the configuration) is 503, as Swift's proxy answers when it cannot find the policy's ring.
 */
export function policyOfIndex(policies: StoragePolicies, index: number): StoragePolicy {
  const policy = policies.byIndex.get(index);
  if (!policy) throw new SwiftError("ServiceUnavailable", `no storage policy has index ${index}`);
  return policy;
}
