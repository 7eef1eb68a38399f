/**
 * Large objects read by a referrer: a manifest in a public container whose segments (and, for a
 * DLO, the segment listing) a referrer ACL lets the same reader see is served whole, as Swift
 * 2.30 serves it (checked against a SAIO: its segment subrequests keep the client's Referer).
 * Swift: common/middleware/slo.py, dlo.py, wsgi.py make_env, tempauth.py authorize.
 */

import { beforeAll, describe, it } from "vitest";
import { swift, text, send, type Sent } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const SLO_ETAG = "8c39aab0ee132c93b93f9cf0ed132353"; // md5(md5("aaaa") + md5("bbbb"))

/** An anonymous request, with a Referer when given. */
function anonymous(method: string, path: string, headers: Record<string, string> = {}): Promise<Sent> {
  return send(method, path, { user: null, headers });
}

/**
 * A public container `name` with manifests `slo` and `dlo` over `aaaa` and `bbbb` in `<name>-seg`, whose read ACL is
 * `segmentAcl`.
 */
async function largeObjects(name: string, acl: string, segmentAcl: string): Promise<void> {
  await send("PUT", `/AUTH_test/${name}`, { headers: { "X-Container-Read": acl } });
  await send("PUT", `/AUTH_test/${name}-seg`, { headers: { "X-Container-Read": segmentAcl } });
  await send("PUT", `/AUTH_test/${name}-seg/s1`, { body: bytes("aaaa") });
  await send("PUT", `/AUTH_test/${name}-seg/s2`, { body: bytes("bbbb") });
  const manifest = JSON.stringify([{ path: `/${name}-seg/s1` }, { path: `/${name}-seg/s2` }]);
  const slo = await send("PUT", `/AUTH_test/${name}/slo?multipart-manifest=put`, { body: bytes(manifest) });
  if (slo.status !== 201) throw new Error(`slo manifest: ${slo.status} ${slo.body}`);
  await send("PUT", `/AUTH_test/${name}/dlo`, {
    headers: { "X-Object-Manifest": `${name}-seg/s`, "Content-Length": "0" },
  });
}

beforeAll(async () => {
  await largeObjects("lo-public", ".r:*", ".r:*,.rlistings");
  await largeObjects("lo-segments-private", ".r:*", "");
  await largeObjects("lo-no-listings", ".r:*", ".r:*");
  await largeObjects("lo-referrer", ".r:.example.com", ".r:.example.com,.rlistings");
});

describe("large objects read through a referrer ACL", () => {
  it(
    "an anonymous GET of an SLO manifest in a public container whose segments are public " + "returns the whole object",
    async ({ expect }) => {
      const got = await anonymous("GET", "/AUTH_test/lo-public/slo");
      expect(got.status).toBe(200);
      expect(got.body).toBe("aaaabbbb");
      expect(got.headers.get("etag")).toBe(`"${SLO_ETAG}"`);
      expect(got.headers.get("content-length")).toBe("8");
      const ranged = await anonymous("GET", "/AUTH_test/lo-public/slo", { Range: "bytes=2-5" });
      expect(ranged.status).toBe(206);
      expect(ranged.body).toBe("aabb");
    },
  );

  it(
    "an anonymous GET of a DLO manifest in a public container " +
      "whose segment container is public and listable returns the whole object",
    async ({ expect }) => {
      const got = await anonymous("GET", "/AUTH_test/lo-public/dlo");
      expect(got.status).toBe(200);
      expect(got.body).toBe("aaaabbbb");
      expect(got.headers.get("etag")).toBe(`"${SLO_ETAG}"`);
      const head = await anonymous("HEAD", "/AUTH_test/lo-public/dlo");
      expect(head.status).toBe(200);
      expect(head.headers.get("content-length")).toBe("8");
    },
  );

  it("an SLO whose segments the anonymous reader may not read returns 409 Conflict", async ({ expect }) => {
    expect((await anonymous("GET", "/AUTH_test/lo-segments-private/slo")).status).toBe(409);
  });

  it("a DLO whose segment container the anonymous reader may not list returns 401", async ({ expect }) => {
    expect((await anonymous("GET", "/AUTH_test/lo-segments-private/dlo")).status).toBe(401);
    expect((await anonymous("GET", "/AUTH_test/lo-no-listings/dlo")).status).toBe(401);
    expect((await anonymous("HEAD", "/AUTH_test/lo-no-listings/dlo")).status).toBe(401);
  });

  it(
    "with a referrer ACL (.r:.example.com) " +
      "the segments are read with the client's Referer: the SLO and DLO are served whole",
    async ({ expect }) => {
      const referer = { Referer: "http://www.example.com/page" };
      const slo = await anonymous("GET", "/AUTH_test/lo-referrer/slo", referer);
      expect(slo.status).toBe(200);
      expect(slo.body).toBe("aaaabbbb");
      const ranged = await anonymous("GET", "/AUTH_test/lo-referrer/slo", { ...referer, Range: "bytes=2-5" });
      expect(ranged.status).toBe(206);
      expect(ranged.body).toBe("aabb");
      const dlo = await anonymous("GET", "/AUTH_test/lo-referrer/dlo", referer);
      expect(dlo.status).toBe(200);
      expect(dlo.body).toBe("aaaabbbb");
      expect((await anonymous("GET", "/AUTH_test/lo-referrer/slo")).status).toBe(401);
      expect((await anonymous("GET", "/AUTH_test/lo-referrer/slo", { Referer: "http://other.org/" })).status).toBe(401);
    },
  );
});
