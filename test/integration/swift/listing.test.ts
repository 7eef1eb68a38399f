import { beforeAll, describe, it, vi } from "vitest";
import { swift, text } from "../../helpers";

const C = "/AUTH_test/listing";
const NAMES = ["a", "a/b", "a/b/c", "a/c", "b", "b/x", "c", "caf\u00e9", "d-1", "d-2", "\u65e5\u672c"];

async function list(
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; response: Response }> {
  const response = await swift("GET", `${C}?${query}`, { headers });
  return { status: response.status, body: await text(response), response };
}

const lines = (body: string) => body.split("\n").filter(Boolean);

beforeAll(async () => {
  await text(await swift("PUT", C));
  for (const name of NAMES)
    await text(await swift("PUT", `${C}/${encodeURIComponent(name)}`, { body: new TextEncoder().encode(name) }));
});

describe("container listing", () => {
  it("plain text lists names in UTF-8 byte order, one per line", async ({ expect }) => {
    const { body, response } = await list("");
    expect(lines(body)).toEqual(NAMES);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("vary")).toBe("Accept");
  });

  it("JSON items have bytes, hash, name, content_type and last_modified", async ({ expect }) => {
    const { body, response } = await list("format=json&limit=1");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("vary")).toBeNull();
    const [item] = JSON.parse(body) as Record<string, unknown>[];
    expect(Object.keys(item ?? {})).toEqual(["bytes", "hash", "name", "content_type", "last_modified"]);
    expect(item).toMatchObject({
      bytes: 1,
      hash: "0cc175b9c0f1b6a831c399e269772661",
      name: "a",
      content_type: "application/octet-stream",
    });
  });

  it("XML lists objects and subdirs inside a container element", async ({ expect }) => {
    const { body, response } = await list("format=xml&delimiter=/&limit=2");
    expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    expect(body).toMatch(
      new RegExp(
        /^<\?xml version="1.0" encoding="UTF-8"\?>\n<container name="listing">/.source +
          /<object><name>a<\/name><hash>0cc175b9c0f1b6a831c399e269772661<\/hash><bytes>1<\/bytes>/.source +
          /<content_type>application\/octet-stream<\/content_type>/.source +
          /<last_modified>[\d\-T:.]+<\/last_modified><\/object>/.source +
          /<subdir name="a\/"><name>a\/<\/name><\/subdir><\/container>$/.source,
      ),
    );
  });

  it("Accept chooses the format when format= is absent; 406 when nothing offered is acceptable", async ({ expect }) => {
    expect((await list("", { Accept: "application/json" })).response.headers.get("content-type")).toBe(
      "application/json; charset=utf-8",
    );
    expect((await list("", { Accept: "text/xml" })).response.headers.get("content-type")).toBe(
      "application/xml; charset=utf-8",
    );
    expect(
      (await list("", { Accept: "application/xml;q=0.5, application/json;q=0.9" })).response.headers.get(
        "content-type",
      ),
    ).toBe("application/json; charset=utf-8");
    expect((await list("", { Accept: "image/png" })).status).toBe(406);
    expect((await list("format=json", { Accept: "image/png" })).status).toBe(200);
  });

  it("limit, marker and end_marker bound the listing; marker and end_marker are exclusive", async ({ expect }) => {
    expect(lines((await list("limit=3")).body)).toEqual(["a", "a/b", "a/b/c"]);
    expect(lines((await list("marker=b&limit=3")).body)).toEqual(["b/x", "c", "caf\u00e9"]);
    expect(lines((await list("marker=a/c&end_marker=c")).body)).toEqual(["b", "b/x"]);
  });

  it("limit above 10000 returns 412 with Swift's message; a non-numeric limit is ignored", async ({ expect }) => {
    const over = await list("limit=10001");
    expect(over.status).toBe(412);
    expect(over.body).toBe("Maximum limit is 10000");
    expect(lines((await list("limit=abc")).body)).toEqual(NAMES);
  });

  it("prefix selects names beginning with it", async ({ expect }) => {
    expect(lines((await list("prefix=a/")).body)).toEqual(["a/b", "a/b/c", "a/c"]);
    expect(lines((await list("prefix=d-")).body)).toEqual(["d-1", "d-2"]);
  });

  it("delimiter rolls names up into subdirs; with prefix, one level below it", async ({ expect }) => {
    expect(lines((await list("delimiter=/")).body)).toEqual([
      "a",
      "a/",
      "b",
      "b/",
      "c",
      "caf\u00e9",
      "d-1",
      "d-2",
      "\u65e5\u672c",
    ]);
    expect(lines((await list("delimiter=/&prefix=a/")).body)).toEqual(["a/b", "a/b/", "a/c"]);
    const json = JSON.parse((await list("delimiter=/&prefix=a/&format=json")).body) as Record<string, unknown>[];
    expect(json[1]).toEqual({ subdir: "a/b/" });
  });

  it("a multi-character delimiter rolls up on the whole delimiter", async ({ expect }) => {
    expect(lines((await list("delimiter=-1")).body)).toEqual([
      "a",
      "a/b",
      "a/b/c",
      "a/c",
      "b",
      "b/x",
      "c",
      "caf\u00e9",
      "d-1",
      "d-2",
      "\u65e5\u672c",
    ]);
    expect(lines((await list("delimiter=/b")).body)).toEqual([
      "a",
      "a/b",
      "a/c",
      "b",
      "b/x",
      "c",
      "caf\u00e9",
      "d-1",
      "d-2",
      "\u65e5\u672c",
    ]);
  });

  it("reverse=true lists backwards, with marker and end_marker swapping roles", async ({ expect }) => {
    expect(lines((await list("reverse=true&limit=3")).body)).toEqual(["\u65e5\u672c", "d-2", "d-1"]);
    expect(lines((await list("reverse=on&marker=c&end_marker=a/c")).body)).toEqual(["b/x", "b"]);
    expect(lines((await list("reverse=yes&delimiter=/&prefix=a/")).body)).toEqual(["a/c", "a/b/", "a/b"]);
  });

  it("path= lists only the direct children of a pseudo-directory, without subdirs", async ({ expect }) => {
    expect(lines((await list("path=a")).body)).toEqual(["a/b", "a/c"]);
  });

  it("an empty container lists 204 in plain text and [] in JSON", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/listing-empty"));
    const plain = await swift("GET", "/AUTH_test/listing-empty");
    expect(await text(plain)).toBe("");
    expect(plain.status).toBe(204);
    const json = await swift("GET", "/AUTH_test/listing-empty?format=json");
    expect(await text(json)).toBe("[]");
    expect(json.status).toBe(200);
  });
});

describe("account listing", () => {
  it("supports prefix, delimiter, marker, end_marker, limit and reverse over container names", async ({ expect }) => {
    for (const name of ["acc-a", "acc-b", "acc-b-1", "acc-c"]) await text(await swift("PUT", `/AUTH_test/${name}`));
    const get = async (query: string) => lines(await text(await swift("GET", `/AUTH_test?${query}`)));
    expect(await get("prefix=acc-")).toEqual(["acc-a", "acc-b", "acc-b-1", "acc-c"]);
    expect(await get("prefix=acc-&delimiter=-&marker=acc-a")).toEqual(["acc-b", "acc-b-", "acc-c"]);
    expect(await get("prefix=acc-&end_marker=acc-b-1")).toEqual(["acc-a", "acc-b"]);
    expect(await get("prefix=acc-&limit=2&reverse=true")).toEqual(["acc-c", "acc-b-1"]);
    const over = await swift("GET", "/AUTH_test?limit=10001");
    expect(await text(over)).toBe("Maximum limit is 10000");
    expect(over.status).toBe(412);
  });

  it("XML lists containers with name, count, bytes and last_modified", async ({ expect }) => {
    // The container's counts reach the account just after its object writes (ACCOUNT_REPORT_DELAY_MS).
    await vi.waitFor(
      async () => {
        const body = await text(await swift("GET", "/AUTH_test?format=xml&prefix=listing&limit=1"));
        expect(body).toMatch(
          new RegExp(
            /^<\?xml version="1.0" encoding="UTF-8"\?>\n<account name="AUTH_test">\n/.source +
              /<container><name>listing<\/name><count>11<\/count><bytes>\d+<\/bytes>/.source +
              /<last_modified>[\d\-T:.]+<\/last_modified><\/container>\n<\/account>$/.source,
          ),
        );
      },
      { timeout: 3_000, interval: 50 },
    );
  });
});
