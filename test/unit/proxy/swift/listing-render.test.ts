/**
 * @module
 * Listing bodies byte for byte: plain text, JSON and XML of a few entries as the account and
 * container controllers and the middlewares that rebuild listings (renderItems) write them, and
 * the query string read as swob reads it. Swift: common/middleware/listing_formats.py
 * (account_to_xml, container_to_xml, listing_to_text), swob.Request.params.
 */
import { describe, it } from "vitest";
import {
  queryParam,
  queryParams,
  renderItems,
  renderListing,
  subdirEntry,
  type RenderedEntry,
} from "../../../../src/proxy/swift/listing";

const object = (name: string): RenderedEntry => ({
  name,
  json: () => ({ name, hash: "d41d8cd98f00b204e9800998ecf8427e", bytes: 0 }),
  xml: () => `<object><name>${name}</name></object>`,
});

describe("rendering a listing", () => {
  it("an entry is rendered only in the format asked for", ({ expect }) => {
    const made: string[] = [];
    const entry: RenderedEntry = {
      name: "a",
      json: () => (made.push("json"), { name: "a" }),
      xml: () => (made.push("xml"), "<object><name>a</name></object>"),
    };
    renderListing("plain", "container", "c", [entry]);
    expect(made).toEqual([]);
    renderListing("json", "container", "c", [entry]);
    expect(made).toEqual(["json"]);
    renderListing("xml", "container", "c", [entry]);
    expect(made).toEqual(["json", "xml"]);
  });

  it("plain text is each name on its own line; an empty plain listing has no body (204)", ({ expect }) => {
    const entries = [object("a"), subdirEntry("d/", "container"), object("é")];
    expect(renderListing("plain", "container", "c", entries)).toBe("a\nd/\né\n");
    expect(renderListing("plain", "container", "c", [])).toBeNull();
  });

  it("JSON is the entries as Python's json.dumps writes them (', ', ': '); an empty JSON listing is []", ({
    expect,
  }) => {
    expect(renderListing("json", "container", "c", [object("a"), subdirEntry("d/", "container")])).toBe(
      '[{"name": "a", "hash": "d41d8cd98f00b204e9800998ecf8427e", "bytes": 0}, {"subdir": "d/"}]',
    );
    expect(renderListing("json", "account", "AUTH_test", [])).toBe("[]");
  });

  it("XML has the declaration and a root named after the listed account or container, its name attribute-escaped", ({
    expect,
  }) => {
    expect(renderListing("xml", "container", 'c&"<x>\n', [object("a")])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<container name="c&amp;&quot;&lt;x&gt;&#10;"><object><name>a</name></object></container>',
    );
  });

  it("an account's XML has each entry on a line of its own, and an empty container's root is an empty element", ({
    expect,
  }) => {
    // Swift 2.30.1: GET /v1/AUTH_test?format=xml (account_to_xml sets the root's text and each tail to "\n").
    const container = { name: "c", json: () => ({}), xml: () => "<container><name>c</name></container>" };
    expect(renderListing("xml", "account", "AUTH_test", [container, subdirEntry("d-", "account")])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<account name="AUTH_test">\n' +
        '<container><name>c</name></container>\n<subdir name="d-" />\n</account>',
    );
    expect(renderListing("xml", "account", "AUTH_test", [])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<account name="AUTH_test">\n</account>',
    );
    expect(renderListing("xml", "container", "c", [])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<container name="c" />',
    );
  });

  it("a subdir is an element with the name as attribute and as text, each escaped as ElementTree escapes it", ({
    expect,
  }) => {
    expect(subdirEntry('a"&<b>/', "container").xml()).toBe(
      '<subdir name="a&quot;&amp;&lt;b&gt;/"><name>a"&amp;&lt;b&gt;/</name></subdir>',
    );
  });
});

describe("rendering a rebuilt JSON listing (renderItems)", () => {
  const items = [
    { name: "o&1", hash: "h", bytes: 3, content_type: "text/plain", last_modified: "2024-01-02T03:04:05.000000" },
    { subdir: "p/" },
  ];

  it("JSON is written as Python's json.dumps writes it: ', ' and ': ', non-ASCII as \\uXXXX", ({ expect }) => {
    expect(renderItems("json", "container", "c", [{ name: "é", bytes: 1 }])).toBe('[{"name": "\\u00e9", "bytes": 1}]');
  });

  it("XML shows each item's fields in Swift's order, text-escaped; a subdir as its element", ({ expect }) => {
    expect(renderItems("xml", "container", "c", items)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<container name="c">' +
        "<object><name>o&amp;1</name><hash>h</hash><bytes>3</bytes><content_type>text/plain</content_type>" +
        "<last_modified>2024-01-02T03:04:05.000000</last_modified></object>" +
        '<subdir name="p/"><name>p/</name></subdir></container>',
    );
  });

  it("an account's XML shows a container's name, count, bytes and last_modified", ({ expect }) => {
    expect(renderItems("xml", "account", "AUTH_a", [{ name: "c", count: 2, bytes: 5, last_modified: "t" }])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<account name="AUTH_a">\n' +
        "<container><name>c</name><count>2</count><bytes>5</bytes>" +
        "<last_modified>t</last_modified></container>\n</account>",
    );
  });

  it("plain text is the names and subdirs, one a line", ({ expect }) => {
    expect(renderItems("plain", "container", "c", items)).toBe("o&1\np/\n");
  });
});

describe("the query string as swob reads it", () => {
  it(
    "+ is a space and %XX a byte; a malformed escape is kept; " +
      "the last of a repeated name wins; a name alone has an empty value",
    ({ expect }) => {
      const params = queryParams(new URL("https://x/v1/a/c?prefix=a+b%2Bc&marker=%zz&limit=1&limit=2&reverse"));
      expect(queryParam(params, "prefix")).toBe("a b+c");
      expect(queryParam(params, "marker")).toBe("%zz");
      expect(queryParam(params, "limit")).toBe("2");
      expect(queryParam(params, "reverse")).toBe("");
      expect(queryParam(params, "delimiter")).toBeNull();
    },
  );

  it("a parameter whose bytes are not UTF-8 is 400 when read; a NUL is read", ({ expect }) => {
    const params = queryParams(new URL("https://x/v1/a/c?prefix=%FF&marker=m%00"));
    expect(() => queryParam(params, "prefix")).toThrow('"prefix" parameter not valid UTF-8');
    expect(queryParam(params, "marker")).toBe("m\u0000");
  });
});
