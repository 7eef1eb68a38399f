/**
 * Listing query parameters as Swift reads them (common/request_helpers.py get_param,
 * validate_container_params; account/server.py GET): NUL is accepted anywhere, bytes that are not
 * UTF-8 are a 400 naming the parameter, the last of a repeated parameter wins. Answers checked
 * against Swift 2.30.1.
 */
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";

const ACCOUNT = "/AUTH_test";
const C = `${ACCOUNT}/listing-params`;
const NAMES = ["a", "m", "m1", "n", "p"];
/** Containers of this file's account listings: every name starts with the prefix. */
const PREFIX = "lp-";
const CONTAINERS = ["lp-a", "lp-m", "lp-m1", "lp-n"];

async function get(path: string, query: string): Promise<{ status: number; body: string; response: Response }> {
  const response = await swift("GET", `${path}?${query}`);
  return { status: response.status, body: await text(response), response };
}

const lines = (body: string) => body.split("\n").filter(Boolean);
const jsonNames = (body: string) => (JSON.parse(body) as { name: string }[]).map((item) => item.name);
const xmlNames = (body: string) => [...body.matchAll(/<name>([^<]*)<\/name>/g)].map((match) => match[1]);

beforeAll(async () => {
  await text(await swift("PUT", C));
  for (const name of NAMES) await text(await swift("PUT", `${C}/${name}`, { body: name }));
  for (const name of CONTAINERS) await text(await swift("PUT", `${ACCOUNT}/${name}`));
});

describe("container listing parameters", () => {
  it("a marker ending in NUL with reverse=on lists from the marker on, inclusive (JSON, plain and XML)", async ({
    expect,
  }) => {
    const json = await get(C, "marker=m%00&reverse=on&format=json");
    expect(json.status).toBe(200);
    expect(jsonNames(json.body)).toEqual(["m", "a"]);
    expect(lines((await get(C, "marker=m%00&reverse=on")).body)).toEqual(["m", "a"]);
    expect(xmlNames((await get(C, "marker=m%00&reverse=on&format=xml")).body)).toEqual(["m", "a"]);
  });

  it("an end_marker ending in NUL lists up to and including the name before the NUL", async ({ expect }) => {
    const plain = await get(C, "end_marker=m%00");
    expect(plain.status).toBe(200);
    expect(lines(plain.body)).toEqual(["a", "m"]);
    expect(jsonNames((await get(C, "end_marker=m%00&format=json")).body)).toEqual(["a", "m"]);
    expect(xmlNames((await get(C, "end_marker=m%00&format=xml")).body)).toEqual(["a", "m"]);
  });

  it("NUL elsewhere in marker, prefix, delimiter and path lists by plain comparison, never 400", async ({ expect }) => {
    expect(lines((await get(C, "marker=m%00")).body)).toEqual(["m1", "n", "p"]);
    expect(lines((await get(C, "marker=a%00b")).body)).toEqual(["m", "m1", "n", "p"]);
    expect(await get(C, "prefix=m%00")).toMatchObject({ status: 204, body: "" });
    expect(await get(C, "prefix=%00")).toMatchObject({ status: 204, body: "" });
    expect(await get(C, "end_marker=%00")).toMatchObject({ status: 204, body: "" });
    expect(lines((await get(C, "delimiter=%00")).body)).toEqual(NAMES);
    expect(lines((await get(C, "delimiter=m%00")).body)).toEqual(NAMES);
    expect(await get(C, "path=m%00")).toMatchObject({ status: 204, body: "" });
    expect(lines((await get(C, "reverse=%00&limit=1%00&format=%00&unknown=%00")).body)).toEqual(NAMES);
  });

  it(
    "a marker, end_marker, prefix, delimiter, path, format, reverse, states, includes or limit " +
      "that is not UTF-8 returns 400 naming it",
    async ({ expect }) => {
      for (const name of [
        "marker",
        "end_marker",
        "prefix",
        "delimiter",
        "path",
        "format",
        "reverse",
        "states",
        "includes",
        "limit",
      ]) {
        expect(await get(C, `${name}=%FF`)).toMatchObject({ status: 400, body: `"${name}" parameter not valid UTF-8` });
      }
      // An overlong encoding and an encoded surrogate are not UTF-8 either.
      expect(await get(C, "marker=%C0%80")).toMatchObject({ status: 400, body: '"marker" parameter not valid UTF-8' });
      expect(await get(C, "marker=%ED%A0%80")).toMatchObject({
        status: 400,
        body: '"marker" parameter not valid UTF-8',
      });
    },
  );

  it("U+FFFD written as UTF-8 is a valid marker, and a parameter Swift does not read may hold any bytes", async ({
    expect,
  }) => {
    expect(await get(C, "marker=%EF%BF%BD")).toMatchObject({ status: 204, body: "" });
    expect(lines((await get(C, "unknown=%FF")).body)).toEqual(NAMES);
  });

  it("the last of a repeated parameter wins", async ({ expect }) => {
    expect(lines((await get(C, "prefix=a&prefix=m")).body)).toEqual(["m", "m1"]);
    expect(lines((await get(C, "marker=%FF&marker=m1")).body)).toEqual(["n", "p"]);
    expect((await get(C, "marker=m1&marker=%FF")).status).toBe(400);
  });

  it("an empty format= picks the format by Accept but sends no Vary", async ({ expect }) => {
    const response = await swift("GET", `${C}?format=&limit=1`, { headers: { Accept: "application/json" } });
    expect(jsonNames(await text(response))).toEqual(["a"]);
    expect(response.headers.get("vary")).toBeNull();
  });

  it("HEAD answers with the content type of the listing asked for, and 400 for a format that is not UTF-8", async ({
    expect,
  }) => {
    const json = await swift("HEAD", `${C}?format=json`);
    await text(json);
    expect(json.status).toBe(204);
    expect(json.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(json.headers.get("vary")).toBeNull();
    const accepted = await swift("HEAD", C, { headers: { Accept: "application/xml" } });
    await text(accepted);
    expect(accepted.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    expect(accepted.headers.get("vary")).toBe("Accept");
    const refused = await swift("HEAD", C, { headers: { Accept: "image/png" } });
    await text(refused);
    expect(refused.status).toBe(406);
    const bad = await swift("HEAD", `${C}?format=%FF`);
    await text(bad);
    expect(bad.status).toBe(400);
  });
});

describe("account listing parameters", () => {
  it("an end_marker ending in NUL lists up to and including the name before the NUL (JSON, plain and XML)", async ({
    expect,
  }) => {
    const json = await get(ACCOUNT, `prefix=${PREFIX}&end_marker=lp-m%00&format=json`);
    expect(json.status).toBe(200);
    expect(jsonNames(json.body)).toEqual(["lp-a", "lp-m"]);
    expect(lines((await get(ACCOUNT, `prefix=${PREFIX}&end_marker=lp-m%00`)).body)).toEqual(["lp-a", "lp-m"]);
    expect(xmlNames((await get(ACCOUNT, `prefix=${PREFIX}&end_marker=lp-m%00&format=xml`)).body)).toEqual([
      "lp-a",
      "lp-m",
    ]);
  });

  it("a marker ending in NUL with reverse=on lists from the marker on, inclusive", async ({ expect }) => {
    const json = await get(ACCOUNT, `prefix=${PREFIX}&marker=lp-m%00&reverse=on&format=json`);
    expect(json.status).toBe(200);
    expect(jsonNames(json.body)).toEqual(["lp-m", "lp-a"]);
    expect(lines((await get(ACCOUNT, `prefix=${PREFIX}&marker=lp-m%00&reverse=on`)).body)).toEqual(["lp-m", "lp-a"]);
    expect(xmlNames((await get(ACCOUNT, `prefix=${PREFIX}&marker=lp-m%00&reverse=on&format=xml`)).body)).toEqual([
      "lp-m",
      "lp-a",
    ]);
    expect(lines((await get(ACCOUNT, `prefix=${PREFIX}&marker=lp-m%00`)).body)).toEqual(["lp-m1", "lp-n"]);
    expect(lines((await get(ACCOUNT, `prefix=${PREFIX}&delimiter=%00`)).body)).toEqual(CONTAINERS);
    expect(await get(ACCOUNT, "prefix=%00")).toMatchObject({ status: 204, body: "" });
  });

  it(
    "a marker, end_marker, prefix, delimiter, reverse, limit or format that is not UTF-8 returns 400 naming it; " +
      "path, states and includes are not read",
    async ({ expect }) => {
      for (const name of ["marker", "end_marker", "prefix", "delimiter", "reverse", "limit", "format"]) {
        expect(await get(ACCOUNT, `${name}=%FF`)).toMatchObject({
          status: 400,
          body: `"${name}" parameter not valid UTF-8`,
        });
      }
      for (const name of ["path", "states", "includes"]) {
        expect((await get(ACCOUNT, `prefix=${PREFIX}&${name}=%FF`)).status).toBe(200);
      }
    },
  );
});
