import { describe, it } from "vitest";
import { angleBetween, callerPlace, hintPlace, nearestZone } from "../../../src/proxy/affinity";

const ZONES: Record<string, string | null> = { z1: "enam", z2: "weur", z3: "apac", z4: null };
const placeOf = (zone: string) => hintPlace(ZONES[zone] ?? null);

describe("read affinity: the primary zone nearest the caller", () => {
  it("a caller in New York, Paris or Tokyo is nearest the zone hinted enam, weur or apac", ({ expect }) => {
    const zones = ["z1", "z2", "z3"];
    expect(nearestZone(zones, placeOf, callerPlace({ latitude: "40.71", longitude: "-74.01" }))).toBe("z1");
    expect(nearestZone(zones, placeOf, callerPlace({ latitude: "48.86", longitude: "2.35" }))).toBe("z2");
    expect(nearestZone(zones, placeOf, callerPlace({ latitude: "35.68", longitude: "139.69" }))).toBe("z3");
  });

  it("the continent stands in when latitude and longitude are missing or out of range", ({ expect }) => {
    expect(callerPlace({ continent: "EU" })).toEqual({ latitude: 50.1, longitude: 10.0 });
    expect(callerPlace({ latitude: "91", longitude: "0", continent: "NA" })).toEqual({
      latitude: 39.8,
      longitude: -98.6,
    });
    expect(callerPlace({ latitude: "", longitude: "", continent: "XX" })).toBeNull();
  });

  it("a coordinate is a decimal number of degrees within range, or it is not known", ({ expect }) => {
    const EU = { latitude: 50.1, longitude: 10.0 };
    expect(callerPlace({ latitude: "90", longitude: "-180" })).toEqual({ latitude: 90, longitude: -180 });
    expect(callerPlace({ latitude: " 40 ", longitude: "-74.5" })).toEqual({ latitude: 40, longitude: -74.5 });
    for (const bad of ["abc5", "5abc", "1.", "x-5", "90.5"]) {
      expect(callerPlace({ latitude: bad, longitude: "0", continent: "EU" }), bad).toEqual(EU);
      expect(callerPlace({ latitude: "0", longitude: bad === "90.5" ? "180.5" : bad, continent: "EU" }), bad).toEqual(
        EU,
      );
    }
    // One coordinate known is not a place: the continent stands in.
    expect(callerPlace({ latitude: "10", continent: "EU" })).toEqual(EU);
    expect(callerPlace({ longitude: "10", continent: "EU" })).toEqual(EU);
  });

  it("on a tie the first zone in ring order is the nearest", ({ expect }) => {
    const sameHint = (zone: string) => hintPlace(zone === "z9" ? "weur" : (ZONES[zone] ?? null));
    expect(nearestZone(["z2", "z9"], sameHint, { latitude: 48.86, longitude: 2.35 })).toBe("z2");
    expect(nearestZone(["z9", "z2"], sameHint, { latitude: 48.86, longitude: 2.35 })).toBe("z9");
  });

  it("no place, no hinted zone or an unknown hint means no nearest zone", ({ expect }) => {
    expect(callerPlace(undefined)).toBeNull();
    expect(nearestZone(["z1", "z2"], placeOf, null)).toBeNull();
    expect(nearestZone(["z4"], placeOf, { latitude: 0, longitude: 0 })).toBeNull();
    expect(hintPlace("mars")).toBeNull();
  });

  it("the angle between places is the great circle's: a quarter turn from the pole to the equator", ({ expect }) => {
    expect(angleBetween({ latitude: 90, longitude: 0 }, { latitude: 0, longitude: 123 })).toBeCloseTo(Math.PI / 2, 10);
    expect(angleBetween({ latitude: 10, longitude: 170 }, { latitude: 10, longitude: -170 })).toBeLessThan(0.4);
    // Two places on the 45th parallel a quarter turn of longitude apart: cos θ = sin²45° + cos²45° cos 90° = ½.
    expect(angleBetween({ latitude: 45, longitude: 0 }, { latitude: 45, longitude: 90 })).toBeCloseTo(Math.PI / 3, 10);
    expect(angleBetween({ latitude: -30, longitude: 20 }, { latitude: 60, longitude: 20 })).toBeCloseTo(
      Math.PI / 2,
      10,
    );
  });
});
