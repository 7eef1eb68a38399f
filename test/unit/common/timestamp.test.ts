import { describe, it } from "vitest";
import { compareTimestamps, newerOf, Timestamp, TimestampClock, TIMESTAMP_ZERO } from "../../../src/common/timestamp";

describe("Timestamp forms (Swift: common/utils/timestamp.py)", () => {
  it("the normal form is ten digits of seconds and five of fraction, zero-padded", ({ expect }) => {
    expect(new Timestamp(170_000_000_012_345).normal).toBe("1700000000.12345");
    expect(new Timestamp(1).normal).toBe("0000000000.00001");
    expect(new Timestamp(100_000).normal).toBe("0000000001.00000");
  });

  it("the internal form adds the offset as sixteen hex digits only when it is not zero", ({ expect }) => {
    expect(new Timestamp(170_000_000_012_345).internal).toBe("1700000000.12345");
    expect(new Timestamp(170_000_000_012_345, 10).internal).toBe("1700000000.12345_000000000000000a");
  });

  it("fromSeconds rounds to 10 µs and keeps the offset", ({ expect }) => {
    expect(Timestamp.fromSeconds(1.000004).units).toBe(100_000);
    expect(Timestamp.fromSeconds(1.000006).units).toBe(100_001);
    expect(Timestamp.fromSeconds(2, 3).internal).toBe("0000000002.00000_0000000000000003");
    expect(Timestamp.fromSeconds(2).offset).toBe(0);
  });

  it("parses normal and internal forms, a short fraction padded on the right", ({ expect }) => {
    expect(Timestamp.parse("1700000000.12345")?.units).toBe(170_000_000_012_345);
    expect(Timestamp.parse("1700000000.1")?.units).toBe(170_000_000_010_000);
    expect(Timestamp.parse("1700000000")?.units).toBe(170_000_000_000_000);
    const withOffset = Timestamp.parse("1700000000.12345_000000000000000a");
    expect(withOffset?.offset).toBe(10);
    expect(withOffset?.internal).toBe("1700000000.12345_000000000000000a");
    expect(Timestamp.parse("1700000000.12345")?.offset).toBe(0);
  });

  it("a text that is not a timestamp parses to null", ({ expect }) => {
    for (const text of [
      "",
      "abc",
      "1.123456",
      "12345678901",
      " 1.5",
      "1.5 ",
      "1.5_",
      "1.5_G",
      "1.5_00000000000000000",
      "-1",
      "1e5",
    ]) {
      expect(Timestamp.parse(text), text).toBeNull();
    }
  });

  it("fromText reads a client's timestamp as Swift's Timestamp(text) does; what Swift refuses is null", ({
    expect,
  }) => {
    // Each checked against Swift 2.30.1's Timestamp.
    expect(Timestamp.fromText("1796430510.26144")?.internal).toBe("1796430510.26144");
    expect(Timestamp.fromText("1e5")?.internal).toBe("0000100000.00000");
    expect(Timestamp.fromText(" 1.5 ")?.internal).toBe("0000000001.50000");
    expect(Timestamp.fromText("1.000004")?.internal).toBe("0000000001.00000");
    expect(Timestamp.fromText("1.0_1")?.internal).toBe("0000000001.00000_0000000000000001");
    for (const text of ["null", "", "abc", "-1", "10000000000", "1.5_G"])
      expect(Timestamp.fromText(text), text).toBeNull();
  });

  it("inverted is Swift's ~Timestamp: newer timestamps invert to smaller ones", ({ expect }) => {
    expect(Timestamp.parse("1796430510.26144")?.inverted.internal).toBe("8203569489.73855");
    expect(Timestamp.parse("0000100000.00000")?.inverted.internal).toBe("9999899999.99999");
    expect(Timestamp.parse("8203569489.73855")?.inverted.internal).toBe("1796430510.26144");
  });

  it("seconds and ceilSeconds: Last-Modified rounds a fraction up to the next second", ({ expect }) => {
    expect(new Timestamp(150_000).seconds).toBe(1.5);
    expect(new Timestamp(150_000).ceilSeconds).toBe(2);
    expect(new Timestamp(200_000).ceilSeconds).toBe(2);
  });

  it("httpDate is Last-Modified, rounded up to the second", ({ expect }) => {
    expect(new Timestamp(170_000_000_000_001).httpDate).toBe("Tue, 14 Nov 2023 22:13:21 GMT");
    expect(new Timestamp(170_000_000_000_000).httpDate).toBe("Tue, 14 Nov 2023 22:13:20 GMT");
  });

  it("isoformat is a listing's last_modified: no zone, microseconds", ({ expect }) => {
    expect(new Timestamp(170_000_000_012_345).isoformat).toBe("2023-11-14T22:13:20.123450");
    expect(new Timestamp(170_000_000_000_001).isoformat).toBe("2023-11-14T22:13:20.000010");
    expect(new Timestamp(170_000_000_099_999).isoformat).toBe("2023-11-14T22:13:20.999990");
  });
});

describe("ordering internal forms", () => {
  it("compareTimestamps is negative when the first is older, zero when equal, positive when newer", ({ expect }) => {
    expect(compareTimestamps("0000000001.00000", "0000000002.00000")).toBe(-1);
    expect(compareTimestamps("0000000002.00000", "0000000001.00000")).toBe(1);
    expect(compareTimestamps("0000000001.00000", "0000000001.00000")).toBe(0);
    expect(compareTimestamps("0000000001.00000", "0000000001.00000_0000000000000001")).toBe(-1);
  });

  it("newerOf is the newer of two; equal ones give either", ({ expect }) => {
    expect(newerOf("0000000001.00000", "0000000002.00000")).toBe("0000000002.00000");
    expect(newerOf("0000000002.00000", "0000000001.00000")).toBe("0000000002.00000");
    expect(newerOf(TIMESTAMP_ZERO, TIMESTAMP_ZERO)).toBe(TIMESTAMP_ZERO);
  });

  it("the zero timestamp is older than any write", ({ expect }) => {
    expect(TIMESTAMP_ZERO).toBe("0000000000.00000");
    expect(compareTimestamps(TIMESTAMP_ZERO, new Timestamp(1).internal)).toBe(-1);
  });
});

describe("TimestampClock", () => {
  it("stamps the time it is given, in 10 µs units", ({ expect }) => {
    expect(new TimestampClock().next(1_700_000_000_123.45).normal).toBe("1700000000.12345");
  });

  it("never stamps twice the same value nor goes back when the clock does not advance", ({ expect }) => {
    const clock = new TimestampClock();
    const first = clock.next(1000);
    const second = clock.next(1000);
    const third = clock.next(999);
    expect([first.units, second.units, third.units]).toEqual([100_000, 100_001, 100_002]);
    expect(clock.next(2000).units).toBe(200_000);
  });
});
