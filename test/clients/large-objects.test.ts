/**
 * @module
 * Large objects through the `swift` command (python3-swiftclient), as a user stores a file larger
 * than one request: `swift upload --segment-size` writes segments to `<container>_segments` and a
 * manifest — an SLO with `--use-slo`, a DLO without — and `swift download` and `swift delete`
 * treat the manifest as the whole file. Every assertion message carries the client's own output.
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, inject, it } from "vitest";
import {
  listed,
  md5,
  randomBody,
  runSwift,
  statFields,
  tempDir,
  transcript,
  uniqueName,
  writeTree,
  type ClientRun,
  type RunOptions,
} from "./helpers";

const BASE_URL = inject("edgeswiftBaseUrl");
const MiB = 1024 * 1024;
/** Segment size for the uploads: small enough for few, fast segments; the files are a few times larger. */
const SEGMENT_SIZE = MiB;

/** `swift -A … -U test:tester -K testing <args>`. */
function swift(args: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  return runSwift(BASE_URL, { user: "test:tester", key: "testing" }, args, options);
}

/** Uploads `size` random bytes as `name` with `swift upload --segment-size` (and `--use-slo` when asked). */
async function uploadLarge(
  container: string,
  dir: string,
  name: string,
  size: number,
  useSlo: boolean,
): Promise<{ body: Buffer; upload: ClientRun }> {
  const body = randomBody(size);
  await writeTree(dir, { [name]: body });
  const upload = await swift(
    ["upload", container, name, "--segment-size", String(SEGMENT_SIZE), ...(useSlo ? ["--use-slo"] : [])],
    { cwd: dir },
  );
  return { body, upload };
}

describe("large objects with swift (python3-swiftclient)", () => {
  for (const useSlo of [true, false]) {
    const kind = useSlo ? "an SLO (--use-slo)" : "a DLO";

    it(
      `swift upload --segment-size of a file larger than a segment stores ${kind}, ` +
        "and swift download returns it byte for byte",
      async ({ expect, onTestFinished }) => {
        const container = uniqueName(useSlo ? "lo-slo" : "lo-dlo");
        const dir = await tempDir(onTestFinished, "large");
        const size = 3 * SEGMENT_SIZE + 12_345;
        const { body, upload } = await uploadLarge(container, dir, "big.bin", size, useSlo);

        const segments = await swift(["list", `${container}_segments`]);
        expect(listed(segments), `${transcript(upload)}\n${transcript(segments)}`).toHaveLength(4);
        expect(
          listed(segments).every((name) => name.startsWith(useSlo ? "big.bin/slo/" : "big.bin/")),
          transcript(segments),
        ).toBe(true);
        // An SLO is listed with its total size; a DLO manifest with its own (0), as Swift lists them.
        const list = await swift(["list", container, "--long"]);
        expect(listed(list)[0], transcript(list)).toMatch(new RegExp(`^\\s*${useSlo ? size : 0} .* big\\.bin$`, "u"));

        const stat = await swift(["stat", container, "big.bin"]);
        const fields = statFields(stat);
        expect(fields.get("Content Length"), transcript(stat)).toBe(String(size));
        if (!useSlo)
          expect(fields.get("Manifest"), transcript(stat)).toMatch(
            new RegExp(`^${container}_segments/big\\.bin/`, "u"),
          );

        const download = await swift(["download", container, "big.bin", "-o", join(dir, "back.bin")]);
        const back = await readFile(join(dir, "back.bin"));
        expect(back.length, transcript(download)).toBe(size);
        expect(md5(back), transcript(download)).toBe(md5(body));
        expect(back.equals(body), transcript(download)).toBe(true);
      },
    );

    it(`swift download of a container holding ${kind} writes it byte for byte beside the small files`, async ({
      expect,
      onTestFinished,
    }) => {
      const container = uniqueName(useSlo ? "lo-slo-dl" : "lo-dlo-dl");
      const dir = await tempDir(onTestFinished, "large");
      const { body } = await uploadLarge(container, join(dir, "up"), "nested/large.bin", 2 * SEGMENT_SIZE + 1, useSlo);
      await writeTree(join(dir, "up"), { "small.txt": "small\n" });
      await swift(["upload", container, "small.txt"], { cwd: join(dir, "up") });

      const download = await swift(["download", container, "-D", join(dir, "down")]);
      expect((await readFile(join(dir, "down", "nested/large.bin"))).equals(body), transcript(download)).toBe(true);
      expect(await readFile(join(dir, "down", "small.txt"), "utf8"), transcript(download)).toBe("small\n");
    });

    it(`swift delete of ${kind} removes the manifest and its segments, leaving the segments container empty`, async ({
      expect,
      onTestFinished,
    }) => {
      const container = uniqueName(useSlo ? "lo-slo-del" : "lo-dlo-del");
      const dir = await tempDir(onTestFinished, "large");
      await uploadLarge(container, dir, "doomed.bin", 2 * SEGMENT_SIZE + 7, useSlo);
      const before = await swift(["list", `${container}_segments`]);
      expect(listed(before), transcript(before)).toHaveLength(3);

      const del = await swift(["delete", container, "doomed.bin"]);
      expect(del.stdout, transcript(del)).toContain("doomed.bin");
      const list = await swift(["list", container]);
      expect(listed(list), transcript(list)).toEqual([]);
      const segments = await swift(["list", `${container}_segments`]);
      expect(listed(segments), `${transcript(del)}\n${transcript(segments)}`).toEqual([]);
      const gone = await swift(["stat", container, "doomed.bin"], { allowFailure: true });
      expect(gone.status, transcript(gone)).toBe(1);
    });
  }

  it("swift upload --segment-size over an existing large object replaces it and deletes the old segments", async ({
    expect,
    onTestFinished,
  }) => {
    const container = uniqueName("lo-replace");
    const dir = await tempDir(onTestFinished, "large");
    await uploadLarge(container, join(dir, "first"), "file.bin", 2 * SEGMENT_SIZE + 3, true);
    const { body } = await uploadLarge(container, join(dir, "second"), "file.bin", 3 * SEGMENT_SIZE + 5, true);
    const segments = await swift(["list", `${container}_segments`]);
    expect(listed(segments), transcript(segments)).toHaveLength(4);
    const download = await swift(["download", container, "file.bin", "-o", join(dir, "back.bin")]);
    expect((await readFile(join(dir, "back.bin"))).equals(body), transcript(download)).toBe(true);
  });
});
