/**
 * A server-side copy whose source cannot be read to its end (a static large object's segment held
 * only by zones that are down) answers 503, through Swift and S3, and stores nothing: the client
 * did not disconnect, the source was unavailable. Found by the chaos ledger test (an S3
 * CopyObject answered 500 InternalError, from the copy's 499 Client Disconnect).
 */

import { describe, it } from "vitest";
import { s3 } from "../integration/s3/helpers";
import { setDown, TESTER2, tester2Status } from "./fault-helpers";

const USER = TESTER2;

const status = tester2Status;

describe("copy of a source unreadable mid-stream", () => {
  it("COPY and S3 CopyObject of a static large object whose segment no up zone holds answer 503 and store nothing", async ({
    expect,
  }) => {
    await setDown([]);
    for (const container of ["unreadable-lo", "unreadable-seg"])
      expect(await status("PUT", `/AUTH_test2/${container}`)).toBe(201);
    expect(await status("PUT", "/AUTH_test2/unreadable-seg/s0", { body: "first segment" })).toBe(201);
    // The second segment is acknowledged by z1 and z2 (and z1's or z2's handoff for z3): z3 has none.
    await setDown(["z3"]);
    expect(await status("PUT", "/AUTH_test2/unreadable-seg/s1", { body: "second segment" })).toBe(201);
    await setDown([]);
    const manifest = JSON.stringify([{ path: "/unreadable-seg/s0" }, { path: "/unreadable-seg/s1" }]);
    expect(await status("PUT", "/AUTH_test2/unreadable-lo/big?multipart-manifest=put", { body: manifest })).toBe(201);
    await setDown(["z1", "z2"]);
    try {
      const headers = { "X-Copy-From": "/unreadable-lo/big" };
      expect(await status("PUT", "/AUTH_test2/unreadable-lo/copy", { headers })).toBe(503);
      expect(
        await status("COPY", "/AUTH_test2/unreadable-lo/big", { headers: { Destination: "unreadable-lo/copy" } }),
      ).toBe(503);
      const copied = await s3("PUT", "/unreadable-lo/s3-copy", {
        user: USER,
        headers: { "x-amz-copy-source": "/unreadable-lo/big" },
      });
      expect([copied.status, /<Code>([^<]*)</.exec(await copied.text())?.[1]]).toEqual([503, "ServiceUnavailable"]);
    } finally {
      await setDown([]);
    }
    expect(await status("HEAD", "/AUTH_test2/unreadable-lo/copy")).toBe(404);
    expect(await status("HEAD", "/AUTH_test2/unreadable-lo/s3-copy")).toBe(404);
  });
});
