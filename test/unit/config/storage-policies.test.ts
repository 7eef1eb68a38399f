/**
 * @module
 * STORAGE_POLICIES read with Swift's rules (common/storage_policy.py parse_storage_policies,
 * StoragePolicy._validate_policy_name, StoragePolicyCollection._validate_policies).
 */
import { describe, it } from "vitest";
import {
  parseStoragePolicies,
  policyByName,
  policyOfIndex,
  StoragePolicyError,
} from "../../../src/config/storage-policies";
import { SwiftError } from "../../../src/common/errors";

function refusal(text: string): string {
  try {
    parseStoragePolicies(text);
  } catch (error) {
    if (error instanceof StoragePolicyError) return error.message;
    throw error;
  }
  return "";
}

describe("parseStoragePolicies", () => {
  it("unset is Swift's single default policy 0, Policy-0, on the object ring", ({ expect }) => {
    const policies = parseStoragePolicies("");
    expect(policies.all).toEqual([
      { index: 0, name: "Policy-0", aliases: ["Policy-0"], isDefault: true, deprecated: false, ring: "object" },
    ]);
    expect(policies.default.index).toBe(0);
  });

  it("reads index, name, default, deprecated and aliases; policies are kept in index order, each on object-<index>", ({
    expect,
  }) => {
    const policies = parseStoragePolicies("2 local deprecated;\n 0 gold default aliases=yellow,orange ; 1 silver");
    expect(policies.all.map((p) => [p.index, p.name, p.aliases.join(","), p.isDefault, p.deprecated, p.ring])).toEqual([
      [0, "gold", "gold,yellow,orange", true, false, "object"],
      [1, "silver", "silver", false, false, "object-1"],
      [2, "local", "local", false, true, "object-2"],
    ]);
    expect(policies.byIndex.get(1)?.name).toBe("silver");
  });

  it("a lone policy is the default without saying so", ({ expect }) => {
    expect(parseStoragePolicies("0 only").default.name).toBe("only");
  });

  it("refuses what Swift refuses, naming why", ({ expect }) => {
    expect(refusal("1 silver default")).toBe("has no policy 0 (Swift requires one)");
    expect(refusal("0 gold; 1 silver")).toBe("marks no policy default");
    expect(refusal("0 gold default; 1 silver default")).toBe("marks policies 0 and 1 default; one may be");
    expect(refusal("0 gold default deprecated")).toBe("marks the default policy 0 deprecated");
    expect(refusal("0 gold default; 0 silver")).toBe("names policy 0 twice");
    expect(refusal("0 gold default; 1 GOLD")).toBe('gives the name "GOLD" to policy 0 and policy 1');
    expect(refusal("0 gold default aliases=shiny; 1 silver aliases=Shiny")).toBe(
      'gives the name "Shiny" to policy 0 and policy 1',
    );
    expect(refusal("0 gold default; 1 policy-0")).toBe(
      'gives policy 1 the name "policy-0", which is reserved for policy 0',
    );
    expect(refusal("0 gold_1 default")).toBe(
      'has the name "gold_1" for policy 0: names are letters, digits and "-" (they become header names)',
    );
    expect(refusal("0 gold default; x silver")).toMatch(/^has "x silver": want "<index> <name>/);
    expect(refusal("0 gold default; 01 silver")).toMatch(/^has "01 silver"/);
    expect(refusal("0 gold default; 1000000 big")).toMatch(/^has "1000000 big"/);
    expect(refusal("0")).toBe("names no name for policy 0");
    expect(refusal("0 gold default fast")).toBe(
      'has an unknown option "fast" for policy 0 (want default, deprecated or aliases=a,b)',
    );
  });
});

describe("policy lookups", () => {
  const policies = parseStoragePolicies("0 gold default aliases=yellow; 1 silver");

  it("policyByName matches names and aliases in any case; null for none", ({ expect }) => {
    expect(policyByName(policies, "YELLOW")?.index).toBe(0);
    expect(policyByName(policies, "Silver")?.index).toBe(1);
    expect(policyByName(policies, "bronze")).toBeNull();
  });

  it("policyOfIndex of an index no policy has is 503 (a container whose policy was taken out)", ({ expect }) => {
    expect(policyOfIndex(policies, 1).name).toBe("silver");
    expect(() => policyOfIndex(policies, 7)).toThrow(SwiftError);
    expect(() => policyOfIndex(policies, 7)).toThrow("no storage policy has index 7");
  });
});
