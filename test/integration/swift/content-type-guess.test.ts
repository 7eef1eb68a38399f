/**
 * An object PUT without Content-Type (or with X-Detect-Content-Type: true) is typed as Swift's
 * proxy types it: Python's mimetypes.guess_type of the path, over Python's own table, and
 * application/octet-stream when that guesses nothing (proxy/controllers/obj.py _update_content_type).
 * Bodies are bytes: fetch would type a string body text/plain itself.
 */
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";

const C = "/AUTH_test/content-type-guess";

async function storedType(name: string, headers: Record<string, string> = {}): Promise<string | null> {
  const put = await swift("PUT", `${C}/${encodeURIComponent(name)}`, { body: new TextEncoder().encode("x"), headers });
  await text(put);
  if (put.status !== 201) throw new Error(`PUT ${name}: ${put.status}`);
  const head = await swift("HEAD", `${C}/${encodeURIComponent(name)}`);
  await text(head);
  return head.headers.get("content-type");
}

beforeAll(async () => {
  await text(await swift("PUT", C));
});

describe("Content-Type guessed from the object name", () => {
  it(
    "uses Python's table then Debian's mime.types, as a Swift from Debian: " +
      "a.wav is audio/x-wav, a.md text/markdown, A.JPG image/jpeg",
    async ({ expect }) => {
      expect(await storedType("a.wav")).toBe("audio/x-wav");
      expect(await storedType("notes.md")).toBe("text/markdown");
      expect(await storedType("a.txt")).toBe("text/plain");
      expect(await storedType("A.JPG")).toBe("image/jpeg");
      expect(await storedType("dir/page.html")).toBe("text/html");
    },
  );

  it("types what an encoding suffix wraps: a.tar.gz and a.tgz are application/x-tar, a.svgz image/svg+xml", async ({
    expect,
  }) => {
    expect(await storedType("a.tar.gz")).toBe("application/x-tar");
    expect(await storedType("a.tgz")).toBe("application/x-tar");
    expect(await storedType("a.svgz")).toBe("image/svg+xml");
  });

  it(
    "is application/octet-stream when guess_type guesses nothing: " +
      "a.gz (an encoding of nothing), an unknown extension, no extension, a dot file",
    async ({ expect }) => {
      expect(await storedType("a.gz")).toBe("application/octet-stream");
      expect(await storedType("a.nosuchtype")).toBe("application/octet-stream");
      expect(await storedType("README")).toBe("application/octet-stream");
      expect(await storedType(".txt")).toBe("application/octet-stream");
    },
  );

  it("X-Detect-Content-Type: true guesses even when a Content-Type is sent", async ({ expect }) => {
    expect(await storedType("detected.wav", { "Content-Type": "text/x-sent", "X-Detect-Content-Type": "true" })).toBe(
      "audio/x-wav",
    );
    expect(await storedType("sent.wav", { "Content-Type": "text/x-sent" })).toBe("text/x-sent");
  });
});
