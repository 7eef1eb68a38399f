/**
 * @module
 * The Swift dialect's error renderer, as swob renders errors: without a detail message, the
 * status's HTML page; a detail as text/plain where Swift's code says so, or as swob's default
 * text/html where the raising code names no type (SwiftError.html, each such message checked
 * against a Swift 2.30.1 proxy at its throw site). Swift: common/swob.py HTTPException.
 */
import { describe, it } from "vitest";
import { SWOB_DEFAULT_TYPE, SwiftError } from "../../../../src/common/errors";
import { errorBody, errorResponse } from "../../../../src/proxy/swift/errors";

describe("errorBody (Swift: swob.HTTPException)", () => {
  it("without a detail, the status's swob page as text/html", ({ expect }) => {
    expect(errorBody(new SwiftError("NotFound"))).toEqual({
      body: "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>",
      contentType: SWOB_DEFAULT_TYPE,
    });
    expect(errorBody(new SwiftError("MethodNotAllowed")).body).toBe(
      "<html><h1>Method Not Allowed</h1><p>The method is not allowed for this resource.</p></html>",
    );
  });

  it("a detail is text/plain, without a charset, as Swift's constraint checks send theirs", ({ expect }) => {
    expect(errorBody(new SwiftError("BadRequest", "Missing Content-Length header."))).toEqual({
      body: "Missing Content-Length header.",
      contentType: "text/plain",
    });
  });

  it("a detail raised with no content type (SwiftError.html) is swob's default, text/html; charset=UTF-8", ({
    expect,
  }) => {
    expect(errorBody(SwiftError.html("PreconditionFailed", "Bad URL"))).toEqual({
      body: "Bad URL",
      contentType: "text/html; charset=UTF-8",
    });
  });
});

describe("SwiftError.withHeaders", () => {
  it("keeps the kind, the detail and its content type, with the new headers", ({ expect }) => {
    const error = SwiftError.html("BadRequest", "Invalid Accept header", { "x-a": "1" }).withHeaders({ "x-b": "2" });
    expect([error.kind, error.detail, error.detailType, error.headers]).toEqual([
      "BadRequest",
      "Invalid Accept header",
      SWOB_DEFAULT_TYPE,
      { "x-b": "2" },
    ]);
  });
});

describe("errorResponse", () => {
  it("sends the status, swob's reason phrase, the body's length and the error's headers", async ({ expect }) => {
    const response = errorResponse(
      new SwiftError("RequestEntityTooLarge", "Your request is too large.", { "x-trans-id": "tx1" }),
      "PUT",
    );
    expect([response.status, response.statusText]).toEqual([413, "Request Entity Too Large"]);
    expect(Object.fromEntries(response.headers)).toEqual({
      "content-length": "26",
      "content-type": "text/plain",
      "x-trans-id": "tx1",
    });
    expect(await response.text()).toBe("Your request is too large.");
  });

  it("a HEAD gets no body and Content-Length 0", async ({ expect }) => {
    const response = errorResponse(new SwiftError("NotFound"), "HEAD");
    expect(response.headers.get("content-length")).toBe("0");
    expect(await response.text()).toBe("");
  });

  it("a header the error carries overrides the detail's content type", ({ expect }) => {
    const response = errorResponse(new SwiftError("Conflict", "{}", { "content-type": "application/json" }), "GET");
    expect(response.headers.get("content-type")).toBe("application/json");
  });

  it("never sends an object's Content-Encoding with the error's own text", ({ expect }) => {
    const response = errorResponse(
      new SwiftError("RangeNotSatisfiable", undefined, { "content-encoding": "gzip" }),
      "GET",
    );
    expect(response.headers.has("content-encoding")).toBe(false);
  });

  it("anything but a SwiftError is a 500 Internal Error with swob's page", async ({ expect }) => {
    const logged = console.error;
    console.error = () => undefined;
    try {
      const response = errorResponse(new TypeError("bug"), "GET");
      expect([response.status, response.statusText]).toEqual([500, "Internal Error"]);
      expect(await response.text()).toContain("<h1>Internal Error</h1>");
    } finally {
      console.error = logged;
    }
  });
});
