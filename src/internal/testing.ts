/**
 * Test hooks: switches that only tests and benchmarks throw, to reach fallbacks,
 * limits and faults with small inputs. This module is internal: `mod.ts` does not
 * export it, neither does any entry of `package.json` or `deno.json`, and the
 * published package leaves `src/internal/` out, so users of the package cannot reach
 * it (test/internal_testing.test.ts checks that).
 *
 * @example
 * ```ts
 * import { setWasmKernelsEnabled } from "./testing.ts";
 * setWasmKernelsEnabled(false); // the TypeScript kernels run from here on
 * setWasmKernelsEnabled(true);
 * ```
 *
 * @module
 */

import {
  dropWasmInstance,
  WASM_TEST_SETTINGS,
  wasmInstanceStatus,
} from "../kernels/wasm/wasm_instance.ts";
import { WASM_MEMORY_LIMIT_BYTES } from "../kernels/wasm/wasm_layout.ts";
import { type CrashInjection, WORKER_POOL_TEST_SETTINGS } from "../parallel/crash_injection.ts";
import type { WorkerPool } from "../parallel/worker_pool.ts";

/**
 * Turns the WebAssembly kernels off (or back on) for this process, so that tests can
 * force the TypeScript fallback: while off, `wasmKernels()` returns `null`.
 *
 * @example
 * ```ts
 * import { setWasmKernelsEnabled } from "./testing.ts";
 * setWasmKernelsEnabled(false);
 * setWasmKernelsEnabled(true);
 * ```
 */
export function setWasmKernelsEnabled(on: boolean): void {
  WASM_TEST_SETTINGS.enabled = on;
}

/**
 * Pretends the linear memory can hold only `bytes` (null: the real
 * `WASM_MEMORY_LIMIT_BYTES`), so that tests reach the limits with small arrays.
 * Drops the instance, so the next call starts with a fresh memory.
 *
 * @example
 * ```ts
 * import { setWasmMemoryLimitForTests } from "./testing.ts";
 * setWasmMemoryLimitForTests(1024 * 1024); // pieces, fallbacks and RangeErrors at 1 MiB
 * setWasmMemoryLimitForTests(null); // back to 4 GiB
 * ```
 */
export function setWasmMemoryLimitForTests(bytes: number | null): void {
  WASM_TEST_SETTINGS.memoryLimit = bytes ?? WASM_MEMORY_LIMIT_BYTES;
  if (wasmInstanceStatus().alive) dropWasmInstance();
}

/**
 * `hook(memory)` runs inside every direct and frequency-domain call, after the inputs
 * are copied into linear memory and before the kernel runs, or never when `null`.
 * Tests use it to corrupt memory and throw part-way through a call, then check that
 * the next call is still exact.
 *
 * @example
 * ```ts
 * import { setWasmFaultHookForTests } from "./testing.ts";
 * setWasmFaultHookForTests(() => {
 *   throw new Error("simulated fault");
 * });
 * setWasmFaultHookForTests(null);
 * ```
 */
export function setWasmFaultHookForTests(
  hook: ((memory: WebAssembly.Memory) => void) | null,
): void {
  WASM_TEST_SETTINGS.faultHook = hook;
}

/**
 * Makes one worker of `pool`'s next batch die as `crash` says (after `crash.after`
 * tasks, by `crash.how`), so that tests reach the pool's crash handling with real
 * workers. Applies to that one batch only.
 *
 * @example
 * ```ts
 * import { WorkerPool } from "../parallel/worker_pool.ts";
 * import { crashNextBatchForTests } from "./testing.ts";
 *
 * const pool = new WorkerPool({ workers: 1 });
 * crashNextBatchForTests(pool, { after: 0, how: "exit" });
 * await pool.run([[new Float32Array(64), new Float32Array(3)]]).catch((e) => console.log(e.message));
 * pool.close();
 * ```
 */
export function crashNextBatchForTests(pool: WorkerPool, crash: CrashInjection): void {
  WORKER_POOL_TEST_SETTINGS.nextCrash.set(pool, crash);
}
