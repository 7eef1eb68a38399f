/**
 * @module
 * Fuzzing ACLs through the Worker (fast-check): X-Container-Read and X-Container-Write of any
 * value and of plausible lists (users, groups, accounts, wildcards, referrers, .rlistings), set
 * on a container PUT or POST, and X-Account-Access-Control of any text and any or plausible JSON.
 * Never a 5xx; a rejected ACL changes nothing stored; an accepted one grants nothing outside
 * what it is set on: the other users reach no other container of the account (for a container
 * ACL) and nothing of another account, a read ACL lets no one write and a write ACL no one read.
 * A failing case is printed with its seed, so it can be replayed.
 */
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { snapshot } from "./snapshot";

const TESTER2: [string, string] = ["test2:tester2", "testing2"];
const TESTER3: [string, string] = ["test:tester3", "testing3"];
const TESTER5: [string, string] = ["test5:tester5", "testing5"];
/** Callers an ACL may name, none of them an owner of AUTH_test. */
const OTHERS: ([string, string] | null)[] = [TESTER2, TESTER3, TESTER5, null];

const SHARED = "/AUTH_test/fuzz-acl";
const PRIVATE = "/AUTH_test/fuzz-acl-private";
const ELSEWHERE = "/AUTH_test2/fuzz-acl-elsewhere";

beforeAll(async () => {
  for (const container of [SHARED, PRIVATE]) {
    await text(await swift("PUT", container));
    await text(await swift("PUT", `${container}/o`, { body: "private" }));
  }
  await text(await swift("PUT", ELSEWHERE, { user: TESTER2 }));
  await text(await swift("PUT", `${ELSEWHERE}/o`, { user: TESTER2, body: "private" }));
});

async function statusOf(
  method: string,
  path: string,
  user: [string, string] | null,
  headers: Record<string, string> = {},
): Promise<number> {
  const response = await swift(method, path, {
    user,
    headers,
    body: method === "PUT" || method === "POST" ? "" : null,
  });
  await text(response);
  return response.status;
}

/** Whether the status grants the request. */
const granted = (status: number) => status >= 200 && status < 300;

const STORED = {
  accounts: ["/AUTH_test"],
  containers: [SHARED, PRIVATE],
  objects: [`${SHARED}/o`, `${PRIVATE}/o`],
};
const ELSEWHERE_STORED = { containers: [ELSEWHERE], objects: [`${ELSEWHERE}/o`], user: TESTER2 };

/** No caller but the owners reaches the container at `path` or its object, to read or to write. */
async function expectClosed(
  expect: (value: unknown, message?: string) => { toBe(v: unknown): void },
  path: string,
  what: string,
): Promise<void> {
  for (const user of OTHERS) {
    const who = user?.[0] ?? "anonymous";
    for (const [method, target, headers] of [
      ["GET", `${path}/o`, { Referer: "http://example.com/" }],
      ["GET", path, {}],
      ["PUT", `${path}/new`, {}],
      ["DELETE", `${path}/o`, {}],
      ["POST", `${path}/o`, { "X-Object-Meta-Fuzz": "1" }],
    ] as const) {
      if (path === ELSEWHERE && user === TESTER2) continue;
      const status = await statusOf(method, target, user, headers);
      expect(granted(status), `${what}: ${who} ${method} ${target} answered ${status}`).toBe(false);
    }
  }
}

const itemArb = fc.oneof(
  fc.constantFrom(
    "test2",
    "test2:tester2",
    "test:tester3",
    "test5:*",
    "*:tester3",
    "*:*",
    "*",
    "AUTH_test2",
    "AUTH_test",
    "test",
    ".admin",
    ".reseller_admin",
    "service",
    ".r:*",
    ".r:-*",
    ".r:example.com",
    ".r:.example.com",
    ".r:-example.com",
    ".rlistings",
    ".ref:*",
    ".referrer:*",
    ".r:",
    ".x:y",
    ".r",
    "",
    " ",
    ":",
    "test2:",
    ":tester2",
  ),
  fc.string({ unit: "grapheme-ascii", maxLength: 15 }),
);
const containerAclArb = fc.oneof(
  { weight: 3, arbitrary: fc.array(itemArb, { minLength: 1, maxLength: 4 }).map((items) => items.join(",")) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 60 }) },
);

describe("fuzzing ACLs", () => {
  it("X-Container-Read and -Write of any value: never a 5xx; rejected changes nothing; accepted grants nothing beyond them", async ({
    expect,
  }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("PUT", "POST"),
        fc.constantFrom("x-container-read", "x-container-write"),
        containerAclArb.map((value) => value.trim()),
        async (method, header, acl) => {
          const before = await snapshot(STORED);
          const set = await swift(method, SHARED, { headers: { [header]: acl } });
          const answer = await text(set);
          const what = `${method} ${SHARED} ${header}: ${JSON.stringify(acl)}: ${set.status} ${answer.slice(0, 200)}`;
          expect(set.status, what).toBeLessThan(500);
          if (!granted(set.status)) {
            expect(await snapshot(STORED), what).toBe(before);
            return;
          }
          await expectClosed(expect, PRIVATE, what);
          await expectClosed(expect, ELSEWHERE, what);
          for (const user of OTHERS) {
            const who = user?.[0] ?? "anonymous";
            if (header === "x-container-read") {
              const put = await statusOf("PUT", `${SHARED}/new`, user);
              expect(granted(put), `${what}: ${who} PUT answered ${put}`).toBe(false);
              const remove = await statusOf("DELETE", `${SHARED}/o`, user);
              expect(granted(remove), `${what}: ${who} DELETE answered ${remove}`).toBe(false);
            } else {
              const get = await statusOf("GET", `${SHARED}/o`, user, { Referer: "http://example.com/" });
              expect(granted(get), `${what}: ${who} GET answered ${get}`).toBe(false);
            }
          }
          // Back to no ACL, the object as it was, for the next run.
          await text(await swift("POST", SHARED, { headers: { [header]: "" } }));
          await text(await swift("PUT", `${SHARED}/o`, { body: "private" }));
          await text(await swift("DELETE", `${SHARED}/new`));
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it("X-Account-Access-Control of any text or JSON: never a 5xx; rejected changes nothing; accepted grants nothing in another account", async ({
    expect,
  }) => {
    const namesArb = fc.array(
      fc.oneof(
        fc.constantFrom("test2", "test2:tester2", "test:tester3", "test5", "*", "AUTH_test2", ".admin", ""),
        fc.string({ unit: "grapheme-ascii", maxLength: 10 }),
      ),
      { maxLength: 3 },
    );
    const aclArb = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .dictionary(fc.constantFrom("admin", "read-write", "read-only", "other", "Admin", ""), namesArb, {
            maxKeys: 3,
          })
          .map((acl) => JSON.stringify(acl)),
      },
      {
        weight: 2,
        arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => JSON.stringify(json)),
      },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 60 }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("POST", "PUT"), aclArb, async (method, acl) => {
        const before = await snapshot(STORED);
        const set = await swift(method, "/AUTH_test", { headers: { "X-Account-Access-Control": acl } });
        const answer = await text(set);
        const what = `${method} /AUTH_test X-Account-Access-Control: ${acl}: ${set.status} ${answer.slice(0, 200)}`;
        expect(set.status, what).toBeLessThan(500);
        if (!granted(set.status)) {
          expect(await snapshot(STORED), what).toBe(before);
          return;
        }
        const elsewhere = await snapshot(ELSEWHERE_STORED);
        await expectClosed(expect, ELSEWHERE, what);
        expect(await snapshot(ELSEWHERE_STORED), what).toBe(elsewhere);
        await text(await swift("POST", "/AUTH_test", { headers: { "X-Account-Access-Control": "" } }));
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
