/**
 * @module
 * Error bodies as swob renders them: the status's HTML page without a detail message; a detail
 * message as text/plain where Swift's code says so, as text/html where it names no type and
 * swob's default applies. Each message's type is what a Swift 2.30.1 proxy sent for it.
 * Swift: common/swob.py, common/constraints.py, proxy/server.py.
 */
import { describe, it } from "vitest";
import { ERRORS, detailContentType, errorBody, kindForStatus } from "../../../src/common/errors";

const HTML = "text/html; charset=UTF-8";

describe("errorBody (Swift: swob.HTTPException)", () => {
  it("without a detail, the status's swob page as text/html", ({ expect }) => {
    expect(errorBody("NotFound")).toEqual({
      body: "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>",
      contentType: HTML,
    });
    expect(errorBody("MethodNotAllowed").body).toBe(
      "<html><h1>Method Not Allowed</h1><p>The method is not allowed for this resource.</p></html>",
    );
  });

  it("a detail Swift's constraint checks send with content_type='text/plain' is text/plain, no charset", ({
    expect,
  }) => {
    for (const detail of [
      "Missing Content-Length header.",
      "Your request is too large.",
      "Unsupported Transfer-Coding header value specified in Transfer-Encoding header",
      "Invalid Transfer-Encoding header value",
      "Invalid Content-Length header value",
      "Object name length of 1025 longer than 1024",
      "Metadata name too long: x-object-meta-Aaa",
      "Metadata value longer than 256: x-object-meta-A",
      "Metadata name cannot be empty",
      "Non-integer X-Delete-At",
      "If-None-Match only supports *",
      "Copy requests require a zero byte body",
    ]) {
      expect(errorBody("BadRequest", detail), detail).toEqual({ body: detail, contentType: "text/plain" });
    }
  });

  it("a detail Swift raises without a content type is swob's default, text/html; charset=UTF-8", ({ expect }) => {
    for (const detail of [
      "Invalid UTF8 or contains NULL",
      "Bad URL",
      "Invalid Content-Length",
      "Container name length of 257 longer than 256",
      "Account name length of 257 longer than 256",
      "Maximum limit is 10000",
      '"prefix" parameter not valid UTF-8',
      "Invalid Accept header",
      "Destination header required",
      "Destination header must be of the form <container name>/<object name>",
      "X-Copy-From header must be of the form <container name>/<object name>",
      "Account name cannot be empty",
      "Container name cannot contain slashes",
      "Upload exceeds quota.",
      "Invalid bytes quota.",
      "Bad X-If-Delete-At header value",
      "X-If-Delete-At and X-Delete-At do not match",
    ]) {
      expect(detailContentType(detail), detail).toBe(HTML);
    }
  });

  it("an HTML type is matched on the whole message, not on a part of it", ({ expect }) => {
    expect(detailContentType("Bad URL or worse")).toBe("text/plain");
    expect(detailContentType("Invalid Content-Length header value")).toBe("text/plain");
    expect(detailContentType("Object name length of 1025 longer than 1024")).toBe("text/plain");
  });
});

describe("kindForStatus", () => {
  it("a status with a table entry names its kind; any other is 500", ({ expect }) => {
    expect(kindForStatus(413)).toBe("RequestEntityTooLarge");
    expect(ERRORS[kindForStatus(413)].reason).toBe("Request Entity Too Large");
    expect(kindForStatus(418)).toBe("InternalServerError");
  });
});
