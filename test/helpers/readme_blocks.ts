/**
 * The README's fenced code blocks, for the test that runs them: which blocks are
 * code (`ts`/`typescript`/`js`/`javascript` fences; `sh`, `text` and unlabelled fences
 * are not run, nor is a code fence marked `no-run`, as in "```ts no-run", kept for a recipe
 * that needs a package convpool does not depend on), which runtime each is for (a block under a heading named "Deno", "Bun"
 * or "Node" runs on that runtime only; every other block runs on all three), and the
 * block as a module of this repository: `"convpool"`, `"npm:convpool"` and
 * `"jsr:@convpool/convpool"` import `mod.ts`, their `/prometheus` subpath imports
 * `src/prometheus.ts`, and a fixed `port: <number>` becomes `port: 0` (a free port), so
 * the test never collides with a server already running on the machine.
 *
 * @example
 * ```ts
 * import { readmeCodeBlocks } from "./readme_blocks.ts";
 * const blocks = readmeCodeBlocks("## Deno\n\n```ts\nconsole.log(1);\n```\n");
 * console.log(blocks[0].runtimes); // ["deno"]
 * ```
 *
 * @module
 */

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

/** A runtime that runs README blocks. */
export type ReadmeRuntime = "deno" | "bun" | "node";

/** All runtimes, in the order the test reports them. */
export const README_RUNTIMES: readonly ReadmeRuntime[] = ["deno", "bun", "node"];

/** One fenced code block of the README that is meant to run. */
export interface ReadmeCodeBlock {
  /** 1-based line of the opening fence in the README. */
  line: number;
  /** `ts` or `js`. */
  language: "ts" | "js";
  /** The code, without the fences and without the fence's indentation. */
  code: string;
  /** The text of the nearest heading above the block. */
  heading: string;
  /** The runtimes it runs on. */
  runtimes: readonly ReadmeRuntime[];
}

const CODE_LANGUAGES: Readonly<Record<string, "ts" | "js">> = {
  ts: "ts",
  typescript: "ts",
  js: "js",
  javascript: "js",
};

const RUNTIME_HEADINGS: Readonly<Record<string, ReadmeRuntime>> = {
  deno: "deno",
  bun: "bun",
  node: "node",
  "node.js": "node",
};

/**
 * The blocks of `markdown` meant to run (see the module docs for which).
 *
 * @example
 * ```ts
 * import { readmeCodeBlocks } from "./readme_blocks.ts";
 * console.log(readmeCodeBlocks("```sh\nnpm test\n```\n").length); // 0
 * ```
 */
export function readmeCodeBlocks(markdown: string): ReadmeCodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: ReadmeCodeBlock[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const headingMatch = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(lines[i]);
    if (headingMatch) {
      heading = headingMatch[1];
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w.+-]*)(.*)$/.exec(lines[i]);
    if (!fence) continue;
    const [, indent, marker, info, attributes] = fence;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trimStart().startsWith(marker)) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
      j++;
    }
    const language = CODE_LANGUAGES[info.toLowerCase()];
    if (language !== undefined && !/\bno-run\b/.test(attributes)) {
      const only = RUNTIME_HEADINGS[heading.toLowerCase()];
      blocks.push({
        line: i + 1,
        language,
        code: body.join("\n"),
        heading,
        runtimes: only === undefined ? README_RUNTIMES : [only],
      });
    }
    i = j;
  }
  return blocks;
}

const PACKAGE_SPECIFIER =
  /(["'])(?:npm:|jsr:@convpool\/)?convpool(?:@[\w.^~-]+)?(\/prometheus)?\1/g;

/**
 * `code` as a module at `file` inside the repository at `root`: the package's
 * specifiers point at the sources, fixed ports become 0, and an `export {}` makes it a
 * module for the type checker.
 *
 * @example
 * ```ts
 * import { asRepositoryModule } from "./readme_blocks.ts";
 * const code = asRepositoryModule('import { convolve } from "convpool";', "/r/.tmp/a.ts", "/r");
 * console.log(code.startsWith('import { convolve } from "../mod.ts";')); // true
 * ```
 */
export function asRepositoryModule(code: string, file: string, root: string): string {
  const toRoot = relative(join(file, ".."), root).split("\\").join("/") || ".";
  const rewritten = code
    .replace(PACKAGE_SPECIFIER, (_match, quote: string, prometheus: string | undefined) => {
      const target = prometheus ? "src/prometheus.ts" : "mod.ts";
      return `${quote}${toRoot}/${target}${quote}`;
    })
    .replace(/\bport:\s*\d+/g, "port: 0");
  return `${rewritten}\nexport {};\n`;
}

/** The file name a block is written to (its README line, so failures name it). */
export function blockFileName(block: ReadmeCodeBlock): string {
  return `readme_line_${String(block.line).padStart(4, "0")}.${block.language}`;
}

/**
 * Writes `blocks` as modules into a fresh `dir` (inside `root`) and returns their paths.
 *
 * @example
 * ```ts
 * import { writeBlockModules } from "./readme_blocks.ts";
 * const files = writeBlockModules([], "/r/.tmp/readme/node", "/r");
 * console.log(files.length); // 0
 * ```
 */
export function writeBlockModules(
  blocks: readonly ReadmeCodeBlock[],
  dir: string,
  root: string,
): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return blocks.map((block) => {
    const file = join(dir, blockFileName(block));
    writeFileSync(file, asRepositoryModule(block.code, file, root));
    return file;
  });
}

/**
 * Writes a module into `dir` that imports each of `files` in turn and prints a
 * `readme-block ok <file>` or `readme-block failed <file>` line for each, then exits
 * (non-zero when a block failed; a block may leave a server or worker open).
 */
export function writeRunner(files: readonly string[], dir: string): string {
  const runner = join(dir, "run_all.mjs");
  const names = files.map((file) => `./${relative(dir, file).split("\\").join("/")}`);
  writeFileSync(
    runner,
    `const files = ${JSON.stringify(names)};
let failed = 0;
for (const file of files) {
  try {
    await import(file);
    console.log(\`readme-block ok \${file}\`);
  } catch (error) {
    failed++;
    console.log(\`readme-block failed \${file}\`);
    console.error(\`README block \${file} failed:\`, error);
  }
}
process.exit(failed === 0 ? 0 : 1);
`,
  );
  return runner;
}
