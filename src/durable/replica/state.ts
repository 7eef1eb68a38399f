/**
 * @module
 * Everything a replica keeps in its KV storage beside its rows, in one place and typed: when each
 * alarm duty is due, the repair's backoff, and a handoff's revert bookkeeping. The keys are the
 * ones deployed replicas already wrote; only this module names them.
 */

/**
 * The alarm duties whose due time is kept in storage (others are computed from rows, or kept in
 * memory: a summary report, replica/summary-report.ts, which replicas before kept here).
 */
export type Duty = "repair" | "wipe" | "summary";

/**
 * One primary a handoff owes its rows to: the one a write stood in for, or every primary (a write
 * that named none: a merge, an older proxy).
 */
export type Debt = { to: "primary"; zone: string } | { to: "every-primary" };

const DUE_KEYS: Record<Duty, string> = { repair: "repair.due", wipe: "wipe.due", summary: "summary.due" };
const REPAIR_BACKOFF = "repair.backoffMs";
/** The primaries a handoff's revert gave everything to since its last write (all of them: reverted). */
const HANDED_TO = "handoff.handedTo";
/** Counts a handoff's writes: a revert that saw a write land while it ran hands over again. */
const WRITES = "handoff.writes";
/** The primaries a handoff's rows are owed to, ALL_PRIMARIES for every one. */
const OWED = "handoff.owed";
/** In OWED: every primary. */
const ALL_PRIMARIES = "*";

function debtOf(entry: string): Debt {
  return entry === ALL_PRIMARIES ? { to: "every-primary" } : { to: "primary", zone: entry };
}

function entryOf(debt: Debt): string {
  return debt.to === "every-primary" ? ALL_PRIMARIES : debt.zone;
}

export class ReplicaState {
  readonly #kv: SyncKvStorage;

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  /** When `duty` is due (epoch ms), or null when it is not pending. */
  dueAt(duty: Duty): number | null {
    return this.#kv.get<number>(DUE_KEYS[duty]) ?? null;
  }

  setDue(duty: Duty, at: number): void {
    this.#kv.put(DUE_KEYS[duty], at);
  }

  /** Clears `duty` (a read, and a row written only when it was set). */
  clearDue(duty: Duty): void {
    if (this.dueAt(duty) !== null) this.#kv.delete(DUE_KEYS[duty]);
  }

  /** The delay of the last repair retry, or null before any. */
  get repairBackoffMs(): number | null {
    return this.#kv.get<number>(REPAIR_BACKOFF) ?? null;
  }

  set repairBackoffMs(ms: number) {
    this.#kv.put(REPAIR_BACKOFF, ms);
  }

  /** The repair finished (or a revert completed): nothing due, no backoff. */
  clearRepair(): void {
    this.clearDue("repair");
    this.#kv.delete(REPAIR_BACKOFF);
  }

  /** How many writes this handoff took. */
  get writes(): number {
    return this.#kv.get<number>(WRITES) ?? 0;
  }

  /** A write landed: counted, and what earlier reverts handed over is not everything any more. */
  recordWrite(): void {
    this.#kv.delete(HANDED_TO);
    this.#kv.put(WRITES, this.writes + 1);
  }

  /** The primaries a revert gave everything to since the last write. */
  get handedTo(): readonly string[] {
    return this.#kv.get<string[]>(HANDED_TO) ?? [];
  }

  set handedTo(zones: readonly string[]) {
    this.#kv.put(HANDED_TO, [...zones]);
  }

  /** Forgets that a revert handed everything to `zones` (they missed a write since). */
  forgetHandedTo(zones: readonly string[]): void {
    const handedTo = this.#kv.get<string[]>(HANDED_TO);
    if (handedTo)
      this.#kv.put(
        HANDED_TO,
        handedTo.filter((zone) => !zones.includes(zone)),
      );
  }

  /** Whom this handoff's rows are owed to, or null when no write said. */
  get owed(): readonly Debt[] | null {
    return this.#kv.get<string[]>(OWED)?.map(debtOf) ?? null;
  }

  /** Records a debt; true when it is new. */
  addDebt(debt: Debt): boolean {
    const owed = this.#kv.get<string[]>(OWED) ?? [];
    const entry = entryOf(debt);
    if (owed.includes(entry)) return false;
    this.#kv.put(OWED, [...owed, entry]);
    return true;
  }
}
