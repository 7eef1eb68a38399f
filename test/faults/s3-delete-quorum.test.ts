/**
 * @module
 * An S3 delete is acknowledged only when a quorum of zones took it. DeleteObject first HEADs the
 * key to learn whether it is a large object's manifest; that eventual read may come from a
 * replica that missed the object's last write (its zone was down then), and a 404 from it is no
 * reason to skip the DELETE (s3api sends it anyway). Found by the chaos ledger (seed 707): with
 * z1 and z2 down, DeleteObject answered 204 for an object z3 had missed, deleted nothing, and the
 * object was read back after repair. (A delete answered 503 may still have landed, as in Swift: the
 * one zone up holds its tombstone, which repair spreads.)
 */

import { describe, it } from "vitest";
import { s3Sent } from "../integration/s3/helpers";
import { setDown, TESTER2, tester2Status } from "./fault-helpers";

const USER = TESTER2;
const BUCKET = "s3-delete-quorum";

const status = tester2Status;

const code = (body: string) => /<Code>([^<]*)</.exec(body)?.[1];

describe("S3 deletes under a zone fault", () => {
  it("DeleteObject and DeleteObjects of an object the one zone up missed answer 503 (ServiceUnavailable), never an acknowledgement", async ({
    expect,
  }) => {
    await setDown([]);
    expect(await status("PUT", `/AUTH_test2/${BUCKET}`)).toBe(201);
    // Acknowledged by z1 and z2 (and a handoff standing in for z3 in one of them): z3 has no row.
    await setDown(["z3"]);
    expect(await status("PUT", `/AUTH_test2/${BUCKET}/k`, { body: "kept" })).toBe(201);
    await setDown(["z1", "z2"]);
    try {
      const deleted = await s3Sent("DELETE", `/${BUCKET}/k`, { user: USER });
      expect([deleted.status, code(deleted.body)]).toEqual([503, "ServiceUnavailable"]);
      const many = await s3Sent("POST", `/${BUCKET}?delete`, {
        user: USER,
        body: "<Delete><Object><Key>k</Key></Object></Delete>",
      });
      expect(many.status).toBe(200);
      expect(many.body).not.toContain("<Deleted>");
      expect(code(many.body)).toBe("ServiceUnavailable");
    } finally {
      await setDown([]);
    }
  });

  it("DeleteObject of a multipart upload's manifest with two zones down answers 503, though Swift's manifest delete reports its failure in a 200", async ({
    expect,
  }) => {
    await setDown([]);
    expect(await status("PUT", `/AUTH_test2/${BUCKET}-seg`)).toBe(201);
    for (const part of ["p0", "p1"])
      expect(await status("PUT", `/AUTH_test2/${BUCKET}-seg/${part}`, { body: part })).toBe(201);
    const manifest = JSON.stringify([{ path: `/${BUCKET}-seg/p0` }, { path: `/${BUCKET}-seg/p1` }]);
    expect(await status("PUT", `/AUTH_test2/${BUCKET}/big?multipart-manifest=put`, { body: manifest })).toBe(201);
    await setDown(["z1", "z2"]);
    try {
      const deleted = await s3Sent("DELETE", `/${BUCKET}/big`, { user: USER });
      expect([deleted.status, code(deleted.body)]).toEqual([503, "ServiceUnavailable"]);
    } finally {
      await setDown([]);
    }
  });
});
