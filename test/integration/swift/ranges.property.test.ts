/**
 * @module
 * Byte ranges through the Worker (issue 19): PUT a generated body, GET it with a generated Range
 * header, and compare status, Content-Range and bytes with what swob answers for that body,
 * computed in the test (test/unit/common/swift-range.property.ts): 200 with the whole body, 206
 * with the slice, 206 multipart/byteranges framed as swob frames it, or 416 with `Content-Range: bytes *\/len`.
 */
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { rangeHeaderArbFor, swiftAnswer } from "../../unit/common/swift-range.property";

fc.configureGlobal({ seed: 19_005, numRuns: 30 });

const CONTAINER = "/AUTH_test/ranges-property";
const TYPE = "application/x-property";
let counter = 0;
/** Generous: a run is two requests, and two cores are shared with the rest of the suite. */
const TIMEOUT_MS = 60_000;

beforeAll(async () => {
  await text(await swift("PUT", CONTAINER));
});

/** The multipart/byteranges body swob sends for these ranges (common/utils document_iters_to_multipart_byteranges). */
function multipartBody(boundary: string, body: Uint8Array, ranges: readonly [number, number][]): number[] {
  const bytes = (s: string) => [...new TextEncoder().encode(s)];
  const out: number[] = [];
  for (const [start, end] of ranges) {
    out.push(
      ...bytes(
        `--${boundary}\r\nContent-Type: ${TYPE}\r\nContent-Range: bytes ${start}-${end - 1}/${body.length}\r\n\r\n`,
      ),
    );
    out.push(...body.slice(start, end));
    out.push(...bytes("\r\n"));
  }
  out.push(...bytes(`--${boundary}--`));
  return out;
}

describe("GET with a Range header through the Worker (property)", () => {
  it(
    "status, Content-Range and bytes are what swob answers for the stored body",
    async ({ expect }) => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 1, maxLength: 600 }),
          rangeHeaderArbFor(620),
          async (body, header) => {
            counter += 1;
            const path = `${CONTAINER}/o${counter}`;
            const put = await swift("PUT", path, { body, headers: { "Content-Type": TYPE } });
            await text(put);
            expect(put.status).toBe(201);
            const got = await swift("GET", path, { headers: { Range: header } });
            const bytes = new Uint8Array(await got.arrayBuffer());
            const expected = swiftAnswer(header, body.length);
            expect(got.status, header).toBe(expected.status);
            if (expected.status === 416) {
              expect(got.headers.get("content-range")).toBe(`bytes */${body.length}`);
              return;
            }
            if (expected.status === 200) {
              expect([...bytes]).toEqual([...body]);
              return;
            }
            const [only] = expected.ranges;
            if (expected.ranges.length === 1 && only) {
              expect(got.headers.get("content-range")).toBe(`bytes ${only[0]}-${only[1] - 1}/${body.length}`);
              expect([...bytes]).toEqual([...body.slice(only[0], only[1])]);
              return;
            }
            const boundary = /^multipart\/byteranges;\s*boundary=(.+)$/.exec(
              got.headers.get("content-type") ?? "",
            )?.[1];
            expect(boundary, got.headers.get("content-type") ?? "").toBeDefined();
            expect([...bytes]).toEqual(multipartBody(boundary ?? "", body, expected.ranges));
          },
        ),
      );
    },
    TIMEOUT_MS,
  );
});

describe("ranges of an empty object", () => {
  it(
    "GET of an empty object with Range: bytes=0- is 416 with Content-Range bytes */0, " +
      "as in Swift (nothing satisfies it)",
    async ({ expect }) => {
      const path = `${CONTAINER}/empty`;
      await text(await swift("PUT", path, { body: new Uint8Array(0), headers: { "Content-Type": TYPE } }));
      expect(swiftAnswer("bytes=0-", 0).status).toBe(416);
      const got = await swift("GET", path, { headers: { Range: "bytes=0-" } });
      await text(got);
      expect(got.status).toBe(416);
      expect(got.headers.get("content-range")).toBe("bytes */0");
    },
  );

  it("GET of an empty object with a suffix range (bytes=-5) is 200 with no bytes, as in Swift", async ({ expect }) => {
    const path = `${CONTAINER}/empty-suffix`;
    await text(await swift("PUT", path, { body: new Uint8Array(0), headers: { "Content-Type": TYPE } }));
    expect(swiftAnswer("bytes=-5", 0).status).toBe(200);
    const got = await swift("GET", path, { headers: { Range: "bytes=-5" } });
    expect(await text(got)).toBe("");
    expect(got.status).toBe(200);
  });
});
