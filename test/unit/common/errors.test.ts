/**
 * @module
 * The one table of error kinds: a status a replica or quorum produced maps to its kind.
 * Rendering is tested in test/unit/proxy/swift/errors.test.ts.
 */
import { describe, it } from "vitest";
import { ERRORS, kindForStatus } from "../../../src/common/errors";

describe("kindForStatus", () => {
  it("a status with a table entry names its kind; any other is 500", ({ expect }) => {
    expect(kindForStatus(413)).toBe("RequestEntityTooLarge");
    expect(ERRORS[kindForStatus(413)].reason).toBe("Request Entity Too Large");
    expect(kindForStatus(418)).toBe("InternalServerError");
  });
});
