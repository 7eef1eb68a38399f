import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { bucketName, s3Sent, xmlValue, xmlValues } from "./helpers";

const bucket = bucketName("versioned");

beforeAll(async () => {
  await s3Sent("PUT", `/${bucket}`);
  await s3Sent("PUT", `/${bucket}?versioning`, {
    body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
  });
});

describe("S3 object versions (Swift's object versioning underneath)", () => {
  it("each PUT answers its x-amz-version-id, and GET ?versionId reads that version", async ({ expect }) => {
    const first = await s3Sent("PUT", `/${bucket}/doc`, { body: "first" });
    const second = await s3Sent("PUT", `/${bucket}/doc`, { body: "second" });
    const one = first.headers.get("x-amz-version-id");
    const two = second.headers.get("x-amz-version-id");
    expect(one).toMatch(/^\d+\.\d+$/);
    expect(two).not.toBe(one);
    expect((await s3Sent("GET", `/${bucket}/doc`)).body).toBe("second");
    const old = await s3Sent("GET", `/${bucket}/doc?versionId=${one}`);
    expect(old.body).toBe("first");
    expect(old.headers.get("x-amz-version-id")).toBe(one);
    const viaSwift = await swift("GET", `/AUTH_test/${bucket}/doc?version-id=${one}`);
    expect(await text(viaSwift)).toBe("first");
  });

  it("DELETE writes a delete marker (x-amz-delete-marker), GET is then NoSuchKey, and the old versions stay", async ({
    expect,
  }) => {
    const put = await s3Sent("PUT", `/${bucket}/gone`, { body: "kept" });
    const version = put.headers.get("x-amz-version-id");
    const deleted = await s3Sent("DELETE", `/${bucket}/gone`);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get("x-amz-delete-marker")).toBe("true");
    const marker = deleted.headers.get("x-amz-version-id");
    expect(marker).toMatch(/^\d+\.\d+$/);
    const missing = await s3Sent("GET", `/${bucket}/gone`);
    expect(missing.status).toBe(404);
    expect(xmlValue(missing.body, "Code")).toBe("NoSuchKey");
    expect((await s3Sent("GET", `/${bucket}/gone?versionId=${version}`)).body).toBe("kept");
    const onMarker = await s3Sent("GET", `/${bucket}/gone?versionId=${marker}`);
    expect(onMarker.status).toBe(405);
    expect(onMarker.headers.get("x-amz-delete-marker")).toBe("true");
    const listed = await s3Sent("GET", `/${bucket}?versions&prefix=gone`);
    expect(xmlValues(listed.body, "VersionId")).toEqual([marker, version]);
  });

  it("DELETE ?versionId removes that version only; the newest left is current again", async ({ expect }) => {
    const first = await s3Sent("PUT", `/${bucket}/stack`, { body: "one" });
    const second = await s3Sent("PUT", `/${bucket}/stack`, { body: "two" });
    const removed = await s3Sent("DELETE", `/${bucket}/stack?versionId=${second.headers.get("x-amz-version-id")}`);
    expect(removed.status).toBe(204);
    expect(removed.headers.get("x-amz-version-id")).toBe(second.headers.get("x-amz-version-id"));
    expect((await s3Sent("GET", `/${bucket}/stack`)).body).toBe("one");
    expect(xmlValues((await s3Sent("GET", `/${bucket}?versions&prefix=stack`)).body, "VersionId")).toEqual([
      first.headers.get("x-amz-version-id"),
    ]);
  });

  it("a version id that does not exist is NoSuchVersion; one that is no version id InvalidArgument", async ({
    expect,
  }) => {
    await s3Sent("PUT", `/${bucket}/v`, { body: "v" });
    const none = await s3Sent("GET", `/${bucket}/v?versionId=1000000000.00000`);
    expect(none.status).toBe(404);
    expect(xmlValue(none.body, "Code")).toBe("NoSuchVersion");
    const bad = await s3Sent("GET", `/${bucket}/v?versionId=not-a-version`);
    expect(bad.status).toBe(400);
    expect(xmlValue(bad.body, "Code")).toBe("InvalidArgument");
  });

  it("CopyObject from a source version copies its bytes and names it in x-amz-copy-source-version-id", async ({
    expect,
  }) => {
    const first = await s3Sent("PUT", `/${bucket}/src`, { body: "old bytes" });
    await s3Sent("PUT", `/${bucket}/src`, { body: "new bytes" });
    const version = first.headers.get("x-amz-version-id") ?? "";
    const copied = await s3Sent("PUT", `/${bucket}/dst`, {
      headers: { "x-amz-copy-source": `/${bucket}/src?versionId=${version}` },
    });
    expect(copied.status).toBe(200);
    expect(copied.headers.get("x-amz-copy-source-version-id")).toBe(version);
    expect((await s3Sent("GET", `/${bucket}/dst`)).body).toBe("old bytes");
  });

  it("DeleteObjects with VersionId deletes those versions; without, writes markers it reports", async ({ expect }) => {
    const put = await s3Sent("PUT", `/${bucket}/multi`, { body: "m" });
    const version = put.headers.get("x-amz-version-id") ?? "";
    await s3Sent("PUT", `/${bucket}/multi2`, { body: "m2" });
    const sent = await s3Sent("POST", `/${bucket}?delete`, {
      body:
        `<Delete><Object><Key>multi</Key><VersionId>${version}</VersionId></Object>` +
        "<Object><Key>multi2</Key></Object></Delete>",
    });
    expect(sent.status).toBe(200);
    expect(xmlValues(sent.body, "Key")).toEqual(["multi", "multi2"]);
    expect(xmlValues(sent.body, "DeleteMarker")).toEqual(["true"]);
    expect(xmlValues((await s3Sent("GET", `/${bucket}?versions&prefix=multi`)).body, "Key")).toEqual([
      "multi2",
      "multi2",
    ]);
  });
});
