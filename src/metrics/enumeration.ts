/**
 * Enumerations of the counters: every label set is declared once as a `const`
 * tuple, a label's position in its tuple is its counter index, and counter
 * layouts are sized from the tuples' lengths. {@linkcode indexTable} turns a tuple
 * into the name-to-index table that call sites use, so no index is typed by hand.
 *
 * @example
 * ```ts
 * import { indexTable } from "./enumeration.ts";
 *
 * const COLOURS = ["red", "green"] as const;
 * const COLOUR_INDEX = indexTable(COLOURS);
 * const counts = new Float64Array(COLOURS.length);
 * counts[COLOUR_INDEX.green]++;
 * console.log(counts); // Float64Array [0, 1]
 * ```
 *
 * @module
 */

/** The name-to-index table of a label tuple (see {@linkcode indexTable}). */
export type IndexTable<T extends readonly string[]> = { readonly [K in T[number]]: number };

/**
 * The frozen table from each label of `labels` to its position, the counter
 * index of that label.
 *
 * @example
 * ```ts
 * import { indexTable } from "./enumeration.ts";
 * console.log(indexTable(["stack", "pool", "heap"] as const).heap); // 2
 * ```
 */
export function indexTable<T extends readonly string[]>(labels: T): IndexTable<T> {
  const table: Record<string, number> = {};
  for (let index = 0; index < labels.length; index++) table[labels[index]] = index;
  return Object.freeze(table) as IndexTable<T>;
}
