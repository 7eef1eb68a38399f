/**
 * @module
 * parseConfig refuses a configuration the Worker cannot serve with, naming the variable or
 * binding, as a 503 Service Unavailable (what /healthcheck and every request then answer).
 */
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { ConfigError, parseConfig } from "../../../src/config/config";
import { SwiftError } from "../../../src/common/errors";

/** The test env with some values replaced (undefined: the binding or variable is missing). */
const envWith = (changes: Record<string, unknown>): Env => ({ ...env, ...changes }) as unknown as Env;

function configErrorOf(broken: Env): ConfigError {
  try {
    parseConfig(broken);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("parseConfig accepted the configuration");
}

describe("parseConfig", () => {
  it("the test configuration is valid", ({ expect }) => {
    expect(parseConfig(env).rings.object.zones.map((zone) => zone.id)).toEqual(["z1", "z2", "z3"]);
  });

  it("an object ring zone whose bucket binding is missing is refused with 503, naming the binding and the zone", ({
    expect,
  }) => {
    const error = configErrorOf(envWith({ BODIES_Z3: undefined }));
    expect(error).toBeInstanceOf(SwiftError);
    expect(error.status).toBe(503);
    expect(error.message).toBe(
      "configuration: BODIES_Z3 is not an R2 bucket binding (zone z3 of the object ring names it)",
    );
  });

  it("a zone's bucket binding that is a variable, not an R2 bucket, is refused the same way", ({ expect }) => {
    expect(configErrorOf(envWith({ BODIES_Z2: "edgeswift-z2" })).message).toMatch(
      /^configuration: BODIES_Z2 is not an R2 bucket binding/,
    );
  });

  it("a malformed variable is refused with 503, naming the variable", ({ expect }) => {
    const error = configErrorOf(envWith({ TOKEN_LIFE: "a day" }));
    expect(error.status).toBe(503);
    expect(error.message).toBe('configuration: TOKEN_LIFE must be a positive integer, got "a day"');
  });

  it("a missing secret is refused with 503, naming it", ({ expect }) => {
    expect(configErrorOf(envWith({ AUTH_TOKEN_SECRET: undefined })).message).toBe(
      "configuration: AUTH_TOKEN_SECRET is not set",
    );
  });

  it("a malformed AUTH_USERS entry is named without its key (the message is served to clients)", ({ expect }) => {
    const error = configErrorOf(envWith({ AUTH_USERS: "test:tester=testing .admin;test:tester2 testing2-secret" }));
    expect(error.status).toBe(503);
    expect(error.message).toContain("AUTH_USERS");
    expect(error.message).toContain("entry 2");
    expect(error.message).not.toContain("testing2-secret");
  });
});

describe("parseConfig: storage policies", () => {
  it("the shipped policies each have their object ring", ({ expect }) => {
    const config = parseConfig(env);
    expect(config.policies.all.map((policy) => [policy.name, config.rings.get(policy.ring).replicaCount])).toEqual([
      ["gold", 3],
      ["silver", 2],
      ["local", 1],
    ]);
  });

  it("a policy whose object ring is not bundled is refused, naming the ring", ({ expect }) => {
    expect(configErrorOf(envWith({ STORAGE_POLICIES: "0 gold default; 1 silver; 2 local; 3 bronze" })).message).toBe(
      "configuration: STORAGE_POLICIES names policy 3 (bronze), but rings/object-3.ring.json is not bundled: " +
        'build it with "edgeswift ring object-3 create"',
    );
  });

  it("a bundled object ring no policy owns is refused (its data would be out of reach)", ({ expect }) => {
    expect(configErrorOf(envWith({ STORAGE_POLICIES: "0 gold default; 1 silver" })).message).toBe(
      "configuration: rings/object-2.ring.json belongs to no storage policy in STORAGE_POLICIES",
    );
  });

  it("policies Swift would refuse are refused with Swift's reason", ({ expect }) => {
    expect(configErrorOf(envWith({ STORAGE_POLICIES: "0 gold; 1 silver; 2 local" })).message).toBe(
      "configuration: STORAGE_POLICIES marks no policy default",
    );
  });
});
