/**
 * The browser bundles the README describes: `mod.ts` and the example AudioWorklet
 * processor bundle for `--platform=browser` with no `node:` import, and their minified
 * and gzipped sizes are the ones the README states (within 5%, so that a change that
 * moves them also updates the README).
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { ROOT } from "./helpers/runtimes.ts";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The README's stated sizes in kB: `[minified, gzipped]`, from the sentence after `anchor`. */
function statedSizes(anchor: string): [number, number] {
  const at = README.indexOf(anchor);
  assert.ok(at >= 0, `README.md lacks "${anchor}"`);
  const match = /(\d+) kB minified, (\d+) kB gzipped/.exec(README.slice(at, at + 400));
  assert.ok(match, `no "N kB minified, M kB gzipped" after "${anchor}"`);
  return [Number(match[1]), Number(match[2])];
}

async function minifiedBundle(file: string): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [join(ROOT, file)],
    absWorkingDir: ROOT,
    bundle: true,
    format: "esm",
    platform: "browser",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].contents;
}

for (
  const [file, anchor] of [
    ["mod.ts", "The whole library bundles to"],
    ["examples/worklet/convolver_processor.ts", "Bundled the same way it is"],
  ] as const
) {
  it(`${file} bundles for the browser at the size the README states`, async () => {
    const bytes = await minifiedBundle(file);
    assert.doesNotMatch(new TextDecoder().decode(bytes), /["']node:/, "a node: import");
    const [minified, gzipped] = statedSizes(anchor);
    const actual = [bytes.length / 1000, gzipSync(bytes, { level: 9 }).length / 1000];
    for (
      const [got, stated, what] of [[actual[0], minified, "minified"], [
        actual[1],
        gzipped,
        "gzipped",
      ]] as const
    ) {
      assert.ok(
        Math.abs(got - stated) <= 0.05 * stated,
        `${file} ${what}: ${got.toFixed(1)} kB, README says ${stated} kB`,
      );
    }
  });
}
