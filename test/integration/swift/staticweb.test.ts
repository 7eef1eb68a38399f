import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { BASE, swift, text, tokenFor, putStatus } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const A = "/AUTH_test";
const PUBLIC = { "X-Container-Read": ".r:*,.rlistings" };

/** An anonymous request as a browser sends it (redirects not followed). */
async function browse(
  path: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await exports.default.fetch(`${BASE}/v1${path}`, {
    method: init.method ?? "GET",
    headers: init.headers ?? {},
    redirect: "manual",
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

beforeAll(async () => {
  await putStatus(`${A}/site`, {
    headers: {
      ...PUBLIC,
      "X-Container-Meta-Web-Index": "index.html",
      "X-Container-Meta-Web-Error": "error.html",
      "X-Container-Meta-Web-Listings": "true",
    },
  });
  await putStatus(`${A}/site/index.html`, { body: bytes("<p>home</p>"), headers: { "Content-Type": "text/html" } });
  await putStatus(`${A}/site/docs/index.html`, {
    body: bytes("<p>docs</p>"),
    headers: { "Content-Type": "text/html" },
  });
  await putStatus(`${A}/site/files/a.txt`, { body: bytes("alpha"), headers: { "Content-Type": "text/plain" } });
  await putStatus(`${A}/site/files/it's <x>.txt`, {
    body: bytes("x".repeat(2048)),
    headers: { "Content-Type": "text/plain" },
  });
  await putStatus(`${A}/site/files/sub/b`, {
    body: bytes("b"),
    headers: { "Content-Type": "application/octet-stream" },
  });
  await putStatus(`${A}/site/404error.html`, {
    body: bytes("<p>custom not found</p>"),
    headers: { "Content-Type": "text/html" },
  });
  await putStatus(`${A}/site/marker`, {
    body: null,
    headers: { "Content-Type": "application/directory", "Content-Length": "0" },
  });
  await putStatus(`${A}/site/marker/inside`, { body: bytes("in"), headers: { "Content-Type": "text/plain" } });
  await putStatus(`${A}/listing`, {
    headers: {
      ...PUBLIC,
      "X-Container-Meta-Web-Listings": "true",
      "X-Container-Meta-Web-Listings-CSS": "style.css",
      "X-Container-Meta-Web-Listings-Label": "My Site",
    },
  });
  await putStatus(`${A}/listing/d/f`, { body: bytes("f"), headers: { "Content-Type": "text/plain" } });
  await putStatus(`${A}/nolist`, { headers: { ...PUBLIC, "X-Container-Meta-Web-Index": "index.html" } });
  await putStatus(`${A}/nolist/d/x`, { body: bytes("x") });
  await putStatus(`${A}/plain`, { headers: PUBLIC });
  await putStatus(`${A}/plain/o`, { body: bytes("o") });
});

describe("staticweb (anonymous requests on a container readable by .r:*,.rlistings)", () => {
  it("the container root without its slash is redirected (301) to the path with a slash", async ({ expect }) => {
    const response = await browse(`${A}/site`);
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe(`${BASE}/v1/AUTH_test/site/`);
  });

  it("the container root serves X-Container-Meta-Web-Index", async ({ expect }) => {
    const response = await browse(`${A}/site/`);
    expect(response.status).toBe(200);
    expect(response.body).toBe("<p>home</p>");
    expect(response.headers.get("content-type")).toBe("text/html");
  });

  it("a directory path serves its index; without the slash it is redirected first", async ({ expect }) => {
    const redirect = await browse(`${A}/site/docs`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe(`${BASE}/v1/AUTH_test/site/docs/`);
    const index = await browse(`${A}/site/docs/`);
    expect(index.status).toBe(200);
    expect(index.body).toBe("<p>docs</p>");
  });

  it("objects are served as they are", async ({ expect }) => {
    const response = await browse(`${A}/site/files/a.txt`);
    expect(response.status).toBe(200);
    expect(response.body).toBe("alpha");
  });

  it("a directory without an index is listed in HTML when Web-Listings is on", async ({ expect }) => {
    const response = await browse(`${A}/site/files/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(response.body).toContain("<title>Listing of /v1/AUTH_test/site/files/</title>");
    expect(response.body).toContain(
      '<tr id="parent" class="item">\n    <td class="colname"><a href="../">../</a></td>',
    );
    expect(response.body).toContain('<tr class="item subdir">\n    <td class="colname"><a href="sub/">sub/</a></td>');
    expect(response.body).toContain(
      '   <tr class="item type-text type-plain">\n' +
        '    <td class="colname"><a href="a.txt">a.txt</a></td>\n    <td class="colsize">5</td>\n',
    );
    expect(response.body).toContain(
      '<a href="it%27s%20%3Cx%3E.txt">it&#x27;s &lt;x&gt;.txt</a></td>\n    <td class="colsize">2Ki</td>',
    );
  });

  it("a missing object serves the Web-Error page <status><suffix> with the error's status", async ({ expect }) => {
    const response = await browse(`${A}/site/nothing.html`);
    expect(response.status).toBe(404);
    expect(response.body).toBe("<p>custom not found</p>");
  });

  it("a directory marker object (Web-Directory-Type, default application/directory) is treated as a directory", async ({
    expect,
  }) => {
    const response = await browse(`${A}/site/marker/`);
    expect(response.status).toBe(200);
    expect(response.body).toContain('<a href="inside">inside</a>');
    const redirect = await browse(`${A}/site/marker`);
    expect(redirect.status).toBe(301);
  });

  it("Web-Listings-CSS links the stylesheet relative to the directory; Web-Listings-Label titles the listing", async ({
    expect,
  }) => {
    const root = await browse(`${A}/listing/`);
    expect(root.status).toBe(200);
    expect(root.body).toContain('<link rel="stylesheet" type="text/css" href="style.css" />');
    expect(root.body).toContain("<title>Listing of My Site/</title>");
    const sub = await browse(`${A}/listing/d/`);
    expect(sub.body).toContain('href="../style.css"');
    expect(sub.body).toContain("<title>Listing of My Site/d/</title>");
  });

  it("without Web-Listings, a directory without an index answers 404 'Web Listing Disabled'", async ({ expect }) => {
    const response = await browse(`${A}/nolist/d/`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(response.body).toContain("<h1>Web Listing Disabled</h1>");
    expect(response.body).toContain("<b>X-Container-Meta-Web-Index: index.html</b>");
  });

  it("a missing path under which nothing exists answers 404", async ({ expect }) => {
    const response = await browse(`${A}/nolist/none`);
    expect(response.status).toBe(404);
  });

  it("a container with no web settings behaves as without staticweb", async ({ expect }) => {
    const listing = await browse(`${A}/plain`);
    expect(listing.status).toBe(200);
    expect(listing.body).toBe("o\n");
    const webMode = await browse(`${A}/plain`, { headers: { "X-Web-Mode": "true" } });
    expect(webMode.status).toBe(404);
  });

  it("authenticated requests are not served as web pages unless X-Web-Mode: true", async ({ expect }) => {
    const token = await tokenFor();
    const plain = await browse(`${A}/site/`, { headers: { "X-Auth-Token": token } });
    expect(plain.status).toBe(200);
    expect(plain.body).toContain("index.html");
    expect(plain.body).not.toContain("<p>home</p>");
    const webMode = await browse(`${A}/site/`, { headers: { "X-Auth-Token": token, "X-Web-Mode": "true" } });
    expect(webMode.body).toBe("<p>home</p>");
  });

  it("HEAD of a listing has the headers and no body", async ({ expect }) => {
    const response = await browse(`${A}/site/files/`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.body).toBe("");
    expect(response.headers.get("content-type")).toBe("text/html; charset=UTF-8");
  });

  it("a container without a public read ACL is refused to anonymous requests (401)", async ({ expect }) => {
    await putStatus(`${A}/private`, { headers: { "X-Container-Meta-Web-Index": "index.html" } });
    await putStatus(`${A}/private/index.html`, { body: bytes("secret") });
    const response = await browse(`${A}/private/`);
    expect(response.status).toBe(401);
  });

  it("/info lists staticweb", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    const info = JSON.parse(await response.text()) as Record<string, unknown>;
    expect(info.staticweb).toEqual({});
  });
});
