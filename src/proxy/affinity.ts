/**
 * @module
 * Read affinity, pure: which primary zone is nearest the caller, from where Cloudflare says the
 * request came from (`request.cf` latitude and longitude, else its continent) and each zone's
 * Durable Object location hint. Swift: proxy read_affinity and sorting_method = affinity, which
 * rank nodes by the region and zone an operator names; here the caller's own place ranks them.
 */

/** A place on Earth in degrees. */
export interface Place {
  latitude: number;
  longitude: number;
}

/**
 * Where each Durable Object location hint runs (Cloudflare's regions: a city near the middle of
 * each). A zone without a hint, or with one not listed, has no place and is never the nearest.
 */
const HINT_PLACES: Readonly<Record<string, Place>> = {
  wnam: { latitude: 37.4, longitude: -122.1 }, // western North America
  enam: { latitude: 38.9, longitude: -77.0 }, // eastern North America
  sam: { latitude: -23.5, longitude: -46.6 }, // South America
  weur: { latitude: 50.1, longitude: 8.7 }, // western Europe
  eeur: { latitude: 52.2, longitude: 21.0 }, // eastern Europe
  apac: { latitude: 1.35, longitude: 103.8 }, // Asia-Pacific
  oc: { latitude: -33.9, longitude: 151.2 }, // Oceania
  afr: { latitude: -26.2, longitude: 28.0 }, // Africa
  me: { latitude: 25.2, longitude: 55.3 }, // Middle East
};

/** Where each continent code of `request.cf.continent` is, when the caller's own place is unknown. */
const CONTINENT_PLACES: Readonly<Record<string, Place>> = {
  NA: { latitude: 39.8, longitude: -98.6 },
  SA: { latitude: -15.6, longitude: -56.1 },
  EU: { latitude: 50.1, longitude: 10.0 },
  AS: { latitude: 30.0, longitude: 100.0 },
  OC: { latitude: -25.3, longitude: 133.8 },
  AF: { latitude: 1.0, longitude: 17.0 },
  AN: { latitude: -75.0, longitude: 0.0 },
};

/** The place of a location hint, or null for none or an unknown one. */
export function hintPlace(hint: string | null): Place | null {
  return hint === null ? null : (HINT_PLACES[hint] ?? null);
}

/**
 * Where the caller is, from a request's `cf` properties: its latitude and longitude, else its
 * continent; null when neither is known (`wrangler dev`, a subrequest of the Worker's own).
 */
export function callerPlace(cf: Record<string, unknown> | undefined): Place | null {
  if (!cf) return null;
  const latitude = degrees(cf.latitude, 90);
  const longitude = degrees(cf.longitude, 180);
  if (latitude !== null && longitude !== null) return { latitude, longitude };
  return typeof cf.continent === "string" ? (CONTINENT_PLACES[cf.continent] ?? null) : null;
}

/** A `cf` coordinate (a decimal string) within ±`bound` degrees, or null. */
function degrees(value: unknown, bound: number): number | null {
  if (typeof value !== "string" || !/^\s*-?\d+(\.\d+)?\s*$/.test(value)) return null;
  const number = Number(value);
  return Math.abs(number) <= bound ? number : null;
}

/** The great-circle angle between two places, in radians (the haversine formula). */
export function angleBetween(a: Place, b: Place): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The zone of `zones` nearest `caller` (the first in `zones` order on a tie); null when the caller's
 * place is unknown or no zone has a place.
 */
export function nearestZone(
  zones: readonly string[],
  placeOf: (zone: string) => Place | null,
  caller: Place | null,
): string | null {
  if (caller === null) return null;
  let nearest: string | null = null;
  let nearestAngle = Number.POSITIVE_INFINITY;
  for (const zone of zones) {
    const place = placeOf(zone);
    if (place === null) continue;
    const angle = angleBetween(caller, place);
    if (angle < nearestAngle) {
      nearest = zone;
      nearestAngle = angle;
    }
  }
  return nearest;
}
