/**
 * @module
 * withHeartbeat (src/proxy/s3/heartbeat.ts), CompleteMultipartUpload's keep-alive, with short
 * timings: quick work answers as it is, status included; slow work gets a 200 at once whose body
 * is the XML declaration, spaces while it runs, then its document, or its Error document.
 */
import { describe, it } from "vitest";
import { S3Error } from "../../../../src/proxy/s3/errors";
import { withHeartbeat } from "../../../../src/proxy/s3/heartbeat";

const TIMING = { graceMs: 30, intervalMs: 10 };
const FAILURE = { about: "upload" as const, resource: "/bucket/key", requestId: "tx1" };
const RESULT =
  '<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult><ETag>"e-2"</ETag>' +
  "</CompleteMultipartUploadResult>";

/** What `value` gives (or throws) after `ms`. */
function after<T>(ms: number, value: () => T): Promise<T> {
  return new Promise((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(value());
      } catch (error) {
        reject(error);
      }
    }, ms),
  );
}

describe("withHeartbeat", () => {
  it("work done within the grace period answers as it is, its status and headers kept", async ({ expect }) => {
    const quick = new Response("refused", { status: 400, headers: { "x-kept": "yes" } });
    const response = await withHeartbeat(
      after(1, () => quick),
      TIMING,
      FAILURE,
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("x-kept")).toBe("yes");
    expect(await response.text()).toBe("refused");
  });

  it("an error within the grace period is thrown as it is (the caller renders it with its status)", async ({
    expect,
  }) => {
    const failing = after(1, () => {
      throw new S3Error("InvalidPart");
    });
    await expect(withHeartbeat(failing, TIMING, FAILURE)).rejects.toThrow(S3Error);
  });

  it("slow work: 200 at once, the declaration, spaces while it runs, then its document once", async ({ expect }) => {
    const response = await withHeartbeat(
      after(120, () => new Response(RESULT)),
      TIMING,
      FAILURE,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/xml");
    const body = await response.text();
    expect(body.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n ')).toBe(true);
    expect(body.split("<?xml").length).toBe(2);
    expect(body).toMatch(/\n {3,}<CompleteMultipartUploadResult><ETag>"e-2"<\/ETag><\/CompleteMultipartUploadResult>$/);
  });

  it("slow work that fails: the 200's body is the Error document, after the spaces", async ({ expect }) => {
    const failing = after(80, () => {
      throw new S3Error("InvalidPart");
    });
    const response = await withHeartbeat(failing, TIMING, FAILURE);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n +<Error><Code>InvalidPart<\/Code>/);
    expect(body).toContain("<Resource>/bucket/key</Resource><RequestId>tx1</RequestId></Error>");
    expect(body.split("<?xml").length).toBe(2);
  });
});
