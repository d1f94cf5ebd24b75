// Builds the npm tarball: `deno pack` transpiles the JSR package (deno.json) to
// JavaScript with .d.ts files; this script then gives it the npm name and the
// runtime dependencies and the browser field of package.json, which `deno pack` (2.9)
// does not write.
// scripts/package_test.mjs checks that every bare import in it is declared.
//
//   node scripts/pack_npm.mjs [output.tgz]     default: convpool-<version>.tgz
import { spawnSync } from "node:child_process";
import { transformSync } from "esbuild";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const npmManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** Runs a command to completion and returns its stdout; throws with its output when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${
        args.join(" ")
      } failed (exit ${result.status})\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/**
 * `deno pack` transpiles only what the exports reach, and nothing imports a browser
 * stand-in: each one the browser field names is transpiled here (its relative `.ts`
 * imports pointed at the `.js` files beside it), so that every bundler finds
 * JavaScript where the field points.
 */
function transpileBrowserStandIns(packageDir, browserField) {
  for (const target of Object.values(browserField)) {
    const output = join(packageDir, target);
    if (existsSync(output)) continue;
    const source = output.replace(/\.js$/, ".ts");
    if (!existsSync(source)) throw new Error(`browser stand-in ${target} has no source`);
    const { code } = transformSync(readFileSync(source, "utf8"), {
      loader: "ts",
      format: "esm",
      target: "es2022",
    });
    writeFileSync(output, code.replace(/(from\s+["']\.{1,2}\/[^"']*)\.ts(["'])/g, "$1.js$2"));
  }
}

/** Packs the repository into `output` and returns the tarball's package.json. */
export function packNpm(output) {
  const work = mkdtempSync(join(tmpdir(), "convpool-pack-"));
  try {
    const denoTarball = join(work, "deno.tgz");
    run(join(root, "node_modules", ".bin", "deno"), ["pack", "--allow-dirty", "-o", denoTarball], {
      cwd: root,
    });
    run("tar", ["-xzf", denoTarball, "-C", work]);
    const manifestPath = join(work, "package", "package.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    manifest.name = npmManifest.name;
    manifest.description = npmManifest.description;
    manifest.engines = npmManifest.engines;
    manifest.dependencies = npmManifest.dependencies;
    // Browser bundlers swap the Node-only modules for their stand-ins (.ts -> .js).
    manifest.browser = Object.fromEntries(
      Object.entries(npmManifest.browser ?? {}).map((pair) =>
        pair.map((path) => path.replace(/\.ts$/, ".js"))
      ),
    );
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
    transpileBrowserStandIns(join(work, "package"), manifest.browser);
    run("tar", ["-czf", resolve(output), "-C", work, "package"]);
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const output = process.argv[2] ?? `${npmManifest.name}-${npmManifest.version}.tgz`;
  const manifest = packNpm(output);
  console.log(
    `${output}: ${manifest.name}@${manifest.version}, dependencies ${
      JSON.stringify(manifest.dependencies ?? {})
    }`,
  );
}
