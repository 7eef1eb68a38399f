/**
 * @module
 * The Worker with an object ring whose fourth zone names an R2 binding wrangler.toml does not
 * have (README's "add z4 … --bucket BODIES_Z4" without the binding): it must say so, not answer
 * 500 to every request behind a 200 healthcheck. Swift's healthcheck answers 503 "DISABLED BY
 * FILE" when the proxy is disabled; here it answers 503 with the configuration problem.
 */
import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { BASE } from "../helpers";

const PROBLEM = "configuration: BODIES_Z4 is not an R2 bucket binding (zone z4 of the object ring names it)";

describe("a ring naming a bucket binding the Worker does not have", () => {
  it("GET /healthcheck answers 503 Service Unavailable naming the missing binding", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/healthcheck`);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe(PROBLEM);
  });

  it("GET /auth/v1.0 answers 503 Service Unavailable naming the missing binding", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/auth/v1.0`, {
      headers: { "X-Auth-User": "test:tester", "X-Auth-Key": "testing" },
    });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe(PROBLEM);
  });

  it("a Swift API request answers 503 Service Unavailable naming the missing binding", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/v1/AUTH_test/photos/cat.jpg`);
    expect(response.status).toBe(503);
    expect(response.headers.get("x-trans-id")).toMatch(/^tx/);
    expect(await response.text()).toBe(PROBLEM);
  });

  it("GET /info answers 503 Service Unavailable", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    expect(response.status).toBe(503);
    await response.arrayBuffer();
  });
});
