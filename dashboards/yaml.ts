/**
 * A minimal YAML writer for the generated Prometheus files: mappings, sequences,
 * strings, numbers and booleans. Strings are written as JSON strings (valid YAML
 * double-quoted scalars), single-quoted when they contain double quotes, and as
 * literal blocks (`|-`) when they span lines.
 *
 * @example
 * ```ts
 * import { toYaml } from "./yaml.ts";
 * console.log(toYaml({ groups: [{ name: "convpool", rules: [] }] }));
 * // groups:
 * //   - name: "convpool"
 * //     rules: []
 * ```
 *
 * @module
 */

/** A value {@linkcode toYaml} can write. */
export type YamlValue =
  | string
  | number
  | boolean
  | readonly YamlValue[]
  | { readonly [key: string]: YamlValue | undefined };

function scalar(value: string | number | boolean, indent: string): string {
  if (typeof value !== "string") return String(value);
  if (!value.includes("\n")) {
    // PromQL and label selectors are full of double quotes: single quotes keep them readable.
    return value.includes('"') ? `'${value.replaceAll("'", "''")}'` : JSON.stringify(value);
  }
  return `|-\n${value.split("\n").map((line) => `${indent}  ${line}`).join("\n")}`;
}

function isScalar(value: YamlValue): value is string | number | boolean {
  return typeof value !== "object";
}

function lines(value: YamlValue, indent: string): string[] {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value as readonly YamlValue[]) {
      if (isScalar(item)) {
        out.push(`${indent}- ${scalar(item, `${indent}  `)}`);
        continue;
      }
      const inner = lines(item, `${indent}  `);
      out.push(`${indent}- ${inner[0].slice(indent.length + 2)}`, ...inner.slice(1));
    }
    return out;
  }
  const out: string[] = [];
  for (const [key, item] of Object.entries(value as Record<string, YamlValue | undefined>)) {
    if (item === undefined) continue;
    if (isScalar(item)) out.push(`${indent}${key}: ${scalar(item, indent)}`);
    else if (Array.isArray(item) && item.length === 0) out.push(`${indent}${key}: []`);
    else if (!Array.isArray(item) && Object.keys(item).length === 0) {
      out.push(`${indent}${key}: {}`);
    } else {
      out.push(`${indent}${key}:`, ...lines(item, `${indent}  `));
    }
  }
  return out;
}

/**
 * Writes `value` (a mapping) as a YAML document with two-space indentation and a
 * final newline; `header` lines become `#` comments at the top.
 *
 * @example
 * ```ts
 * import { toYaml } from "./yaml.ts";
 * toYaml({ expr: 'up{job="convpool"} == 0' }, ["rules"]); // "# rules\nexpr: 'up{job=\"convpool\"} == 0'\n"
 * ```
 */
export function toYaml(value: YamlValue, header: readonly string[] = []): string {
  const comments = header.map((line) => (line === "" ? "#" : `# ${line}`));
  return `${[...comments, ...lines(value, "")].join("\n")}\n`;
}
