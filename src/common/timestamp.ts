/**
 * @module
 * Swift's timestamps: the proxy stamps every write and every replica merges last-write-wins by them.
 * Normal form `%016.05f` (10 µs resolution); internal form adds `_%016x` offset when non-zero.
 * Both forms sort lexicographically in time order, which is how replicas compare them.
 * Swift: common/utils/timestamp.py Timestamp.
 */

const UNITS_PER_SECOND = 100_000;
/** 9999999999.99999, the largest timestamp, in units. */
const MAX_UNITS = 999_999_999_999_999;
const NORMAL_FORM = /^(\d{1,10})(?:\.(\d{1,5}))?(?:_([0-9a-f]{1,16}))?$/;

export class Timestamp {
  /** Time in units of 10 µs since the epoch. */
  readonly units: number;
  readonly offset: number;

  constructor(units: number, offset = 0) {
    this.units = units;
    this.offset = offset;
  }

  /** A timestamp from seconds since the epoch (fractions beyond 10 µs are rounded, as Swift does). */
  static fromSeconds(seconds: number, offset = 0): Timestamp {
    return new Timestamp(Math.round(seconds * UNITS_PER_SECOND), offset);
  }

  /** Parses a normal or internal form; null when the text is not a timestamp. */
  static parse(text: string): Timestamp | null {
    const match = NORMAL_FORM.exec(text);
    if (!match) return null;
    const whole = Number(match[1]);
    const fraction = Number((match[2] ?? "").padEnd(5, "0"));
    const offset = match[3] ? parseInt(match[3], 16) : 0;
    return new Timestamp(whole * UNITS_PER_SECOND + fraction, offset);
  }

  /**
   * A timestamp as Swift's Timestamp(text) reads one a client sent (X-If-Delete-At, a version
   * id): seconds as Python's float() reads a decimal, at least 0 and below 10000000000, and an
   * optional `_<hex>` offset; null where Swift raises ValueError.
   */
  static fromText(text: string): Timestamp | null {
    const [base = "", offset] = text.split(/_(.*)/s);
    if (!/^\s*[+-]?(?:\d+(?:_\d+)*\.?(?:\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?\s*$/.test(base)) return null;
    if (offset !== undefined && !/^\s*[0-9a-fA-F]+\s*$/.test(offset)) return null;
    const seconds = Number(base.trim().replaceAll("_", ""));
    if (!Number.isFinite(seconds) || seconds < 0 || seconds >= 10_000_000_000) return null;
    return new Timestamp(Math.round(seconds * UNITS_PER_SECOND), offset === undefined ? 0 : parseInt(offset, 16));
  }

  /**
   * Swift's `~Timestamp`: the time counted back from the largest timestamp, so that newer sorts
   * first (object versioning names versions so). Swift refuses to invert a timestamp with an
   * offset; callers invert none (the offset would be dropped). Swift: Timestamp.__invert__.
   */
  get inverted(): Timestamp {
    return new Timestamp(MAX_UNITS - this.units);
  }

  get seconds(): number {
    return this.units / UNITS_PER_SECOND;
  }

  /** `1700000000.12345` */
  get normal(): string {
    const whole = Math.floor(this.units / UNITS_PER_SECOND);
    const fraction = this.units % UNITS_PER_SECOND;
    return `${String(whole).padStart(10, "0")}.${String(fraction).padStart(5, "0")}`;
  }

  /** `1700000000.12345` or `1700000000.12345_000000000000000a`: what replicas store and compare. */
  get internal(): string {
    return this.offset ? `${this.normal}_${this.offset.toString(16).padStart(16, "0")}` : this.normal;
  }

  /** Listings' `last_modified`: ISO 8601 without zone, microseconds. Swift: Timestamp.isoformat. */
  get isoformat(): string {
    const date = new Date(Math.floor(this.units / UNITS_PER_SECOND) * 1000);
    const micros = (this.units % UNITS_PER_SECOND) * 10;
    return `${date.toISOString().slice(0, 19)}.${String(micros).padStart(6, "0")}`;
  }

  /** `Last-Modified`: the timestamp rounded up to the second, as an HTTP date. Swift: swob last_modified. */
  get httpDate(): string {
    return new Date(Math.ceil(this.units / UNITS_PER_SECOND) * 1000).toUTCString();
  }

  /** Seconds rounded up, as Last-Modified carries them (for If-Modified-Since comparisons). */
  get ceilSeconds(): number {
    return Math.ceil(this.units / UNITS_PER_SECOND);
  }
}

/** Orders two internal-form strings: negative when a is older. */
export function compareTimestamps(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The newer of two internal-form strings. */
export function newerOf(a: string, b: string): string {
  return a >= b ? a : b;
}

/** The zero timestamp, older than any write. */
export const TIMESTAMP_ZERO = "0000000000.00000";

/**
 * Stamps writes for one isolate: never twice the same value, never going back, even when
 * `Date.now()` does not advance between two requests (it only moves after I/O in production).
 */
export class TimestampClock {
  #lastUnits = 0;

  /** The next timestamp at or after `nowMs`. */
  next(nowMs: number): Timestamp {
    let units = Math.round(nowMs * (UNITS_PER_SECOND / 1000));
    if (units <= this.#lastUnits) units = this.#lastUnits + 1;
    this.#lastUnits = units;
    return new Timestamp(units);
  }
}

/**
 * The time of a UTC date and time given as its six numeric fields (year, month 1–12, day, hour,
 * minute, second), in milliseconds; null for a date that does not exist (Date.UTC would roll
 * 2013-02-31 into March) or a time past 23:59:59; `maxSecond` 61 reads leap seconds as Python's
 * strptime does (and calendar.timegm counts them on).
 */
export function utcTime(fields: readonly string[], maxSecond = 59): number | null {
  const [year, month, day, hour, minute, second] = fields.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (hour > 23 || minute > 59 || second > maxSecond) return null;
  const midnight = Date.UTC(year, month - 1, day);
  const back = new Date(midnight);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return midnight + ((hour * 60 + minute) * 60 + second) * 1000;
}
