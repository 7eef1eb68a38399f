/**
 * @module
 * Python's readings of text that Swift relies on, so edgeswift accepts exactly what Swift accepts.
 */

/**
 * Python's `int()` of a string: surrounding whitespace, an optional sign, `_` between digits;
 * null where Python raises ValueError.
 */
export function pythonInt(text: string): number | null {
  const match = /^\s*([+-]?\d+(?:_\d+)*)\s*$/.exec(text);
  return match?.[1] ? Number(match[1].replaceAll("_", "")) : null;
}
