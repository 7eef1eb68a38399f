/**
 * @module
 * The SQL of one listing step: name bounds, order and limit, shared by the container listing
 * (objects) and the account listing (containers). Names compare as SQLite BINARY, UTF-8 bytes, as Swift's do.
 */

import type { ListingBounds } from "../listing";

/** `AND`-joined conditions on `name`, their arguments, and the ORDER BY/LIMIT tail. */
export function boundsSql(bounds: ListingBounds): { conditions: string[]; args: SqlStorageValue[]; tail: string } {
  const conditions: string[] = [];
  const args: SqlStorageValue[] = [];
  if (bounds.below !== null) {
    conditions.push("name < ?");
    args.push(bounds.below);
  }
  if (bounds.above !== null) {
    conditions.push("name > ?");
    args.push(bounds.above);
  }
  if (bounds.atLeast !== null) {
    conditions.push("name >= ?");
    args.push(bounds.atLeast);
  }
  if (bounds.within?.lower) {
    conditions.push("name > ?");
    args.push(bounds.within.lower);
  }
  if (bounds.within?.upper) {
    conditions.push("name <= ?");
    args.push(bounds.within.upper);
  }
  return {
    conditions,
    args,
    tail: `ORDER BY name ${bounds.reverse ? "DESC" : "ASC"} LIMIT ${Math.max(0, Math.floor(bounds.limit))}`,
  };
}
