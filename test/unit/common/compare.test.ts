/**
 * @module
 * The signature compare TempURL and FormPOST share: every character counts, the first and the last.
 * Swift: utils streq_const_time.
 */
import { describe, it } from "vitest";
import { constantTimeEqual } from "../../../src/common/compare";

describe("constantTimeEqual", () => {
  it("is true for equal strings, the empty one included", ({ expect }) => {
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("0a1b2c", "0a1b2c")).toBe(true);
  });

  it("strings that differ only in their last character are not equal", ({ expect }) => {
    expect(constantTimeEqual("0a1b2c", "0a1b2d")).toBe(false);
    expect(constantTimeEqual("a", "b")).toBe(false);
  });

  it("strings that differ only in their first character, or in one in the middle, are not equal", ({ expect }) => {
    expect(constantTimeEqual("0a1b2c", "1a1b2c")).toBe(false);
    expect(constantTimeEqual("0a1b2c", "0a1c2c")).toBe(false);
  });

  it("a string and its prefix or extension are not equal", ({ expect }) => {
    expect(constantTimeEqual("0a1b2c", "0a1b2")).toBe(false);
    expect(constantTimeEqual("0a1b2", "0a1b2c")).toBe(false);
    expect(constantTimeEqual("", "0")).toBe(false);
  });

  it(
    "keys beyond ASCII compare by their UTF-8 bytes: equal ones are equal, " +
      "ones of the same length in characters but not in bytes are not",
    ({ expect }) => {
      expect(constantTimeEqual("clé-ü", "clé-ü")).toBe(true);
      expect(constantTimeEqual("é", "e")).toBe(false);
      expect(constantTimeEqual("é", "è")).toBe(false);
    },
  );
});
