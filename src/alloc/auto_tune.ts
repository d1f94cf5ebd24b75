/**
 * `autoTune`: the engine applies its own tuning hints (`./recommend.ts`) within
 * bounds the operator sets. At each maintenance pass the engine hands the
 * {@linkcode AutoTuner} the demand of the window since the previous pass, and the
 * tuner answers with the stack size and per-class buffer bound to use next.
 *
 * The rules, for each of the two settings:
 *
 * - **Grow** when the window's hint is above the current value for
 *   `growAfterPasses` consecutive passes (default 1: overflows and heap fallbacks
 *   cost on every call), to the hint, capped at `maxStackBytes` /
 *   `maxBuffersPerClass`. The per-class bound is also capped so that the buffers
 *   the hints ask for fit in `poolMaxBytes`, which autoTune never changes.
 * - **Shrink** only when the hint is at most half the current value for
 *   `shrinkAfterPasses` consecutive passes (default 12, one minute at the default
 *   5 s interval), and then at most by half per step, never below the hint. A
 *   hint between half and the current value changes nothing: that band is the
 *   hysteresis that keeps an alternating workload from flapping.
 * - A window without traffic for a setting (no stack-eligible request, no pool
 *   request) carries no information and leaves that setting and its streaks alone.
 * - A disabled stack arena (`stackBytes` 0) or pool bound (`poolMaxBuffersPerClass`
 *   0) stays disabled.
 *
 * @example
 * ```ts
 * import { AutoTuner, autoTuneSettings } from "./auto_tune.ts";
 * const tuner = new AutoTuner(autoTuneSettings({ maxStackBytes: 65536 })!);
 * const peaks = new Float64Array(32);
 * peaks[12] = 1; // one 4 KiB buffer in use at a time, and the pool was exhausted
 * const next = tuner.next(
 *   { stackPeakBytes: 4096, stackOverflows: 5, stackAllocations: 10, peakInUseBuffers: peaks,
 *     poolExhausted: true, poolRequests: 10 },
 *   { stackBytes: 4096, poolMaxBuffersPerClass: 1, poolMaxBytes: 1 << 20 },
 * );
 * console.log(next.stackBytes, next.poolMaxBuffersPerClass); // 16384 3
 * ```
 *
 * @module
 */

import { SIZE_CLASS_COUNT } from "./counters.ts";
import { recommendPoolBuffers, recommendStackBytes } from "./recommend.ts";
import { rangeError, typeError } from "../validate.ts";

/** Operator bounds and hysteresis of `autoTune` (every key optional). */
export interface AutoTuneOptions {
  /** Largest stack arena autoTune may configure, bytes, a multiple of 8 (default 1 MiB). */
  maxStackBytes?: number;
  /** Largest `poolMaxBuffersPerClass` autoTune may configure (default 1024). */
  maxBuffersPerClass?: number;
  /** Consecutive passes with a higher hint before growing (default 1). */
  growAfterPasses?: number;
  /** Consecutive passes with a hint at most half the current value before shrinking (default 12). */
  shrinkAfterPasses?: number;
}

/** {@linkcode AutoTuneOptions} with every key present. */
export type AutoTuneSettings = Readonly<Required<AutoTuneOptions>>;

/**
 * The defaults of every autoTune option.
 *
 * @example
 * ```ts
 * import { DEFAULT_AUTO_TUNE } from "./auto_tune.ts";
 * console.log(DEFAULT_AUTO_TUNE.shrinkAfterPasses); // 12
 * ```
 */
export const DEFAULT_AUTO_TUNE: AutoTuneSettings = Object.freeze({
  maxStackBytes: 1 << 20,
  maxBuffersPerClass: 1024,
  growAfterPasses: 1,
  shrinkAfterPasses: 12,
});

function integerOption(
  value: unknown,
  caller: string,
  name: string,
  min: number,
  max: number,
): void {
  if (typeof value !== "number") throw typeError(caller, name, "a number", value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(caller, name, `an integer in [${min}, ${max}]`, value);
  }
}

/**
 * Checks a value of the config key `autoTune` (`key` names it and `caller` the
 * public function in messages): a boolean or an object of
 * {@linkcode AutoTuneOptions}. `maxStack` is the largest stack the engine accepts.
 *
 * @example
 * ```ts
 * import { checkAutoTune } from "./auto_tune.ts";
 * checkAutoTune({ maxStackBytes: 65536 }, "autoTune", 2 ** 28, "createEngine"); // passes
 * ```
 */
export function checkAutoTune(
  value: unknown,
  key: string,
  maxStack: number,
  caller: string,
): void {
  if (typeof value === "boolean") return;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw typeError(caller, `config.${key}`, "a boolean or an object of options", value);
  }
  const options = value as Record<string, unknown>;
  for (const name of Object.keys(options)) {
    if (!Object.hasOwn(DEFAULT_AUTO_TUNE, name)) {
      throw typeError(
        caller,
        `a config.${key} key`,
        `one of ${Object.keys(DEFAULT_AUTO_TUNE).join(", ")}`,
        name,
      );
    }
    const option = options[name];
    if (option === undefined) continue;
    const label = `config.${key}.${name}`;
    if (name === "maxStackBytes") {
      integerOption(option, caller, label, 0, maxStack);
      if ((option as number) % 8 !== 0) {
        throw rangeError(caller, label, "a multiple of 8", option);
      }
    } else integerOption(option, caller, label, 1, 2 ** 20);
  }
}

/**
 * The settings of a checked `autoTune` value: `undefined` when it is off.
 *
 * @example
 * ```ts
 * import { autoTuneSettings } from "./auto_tune.ts";
 * autoTuneSettings(true)?.maxStackBytes; // 1048576
 * autoTuneSettings(false); // undefined
 * ```
 */
export function autoTuneSettings(value: boolean | AutoTuneOptions): AutoTuneSettings | undefined {
  if (value === false) return undefined;
  if (value === true) return DEFAULT_AUTO_TUNE;
  const settings = { ...DEFAULT_AUTO_TUNE };
  for (const [name, option] of Object.entries(value)) {
    if (option !== undefined) (settings as Record<string, number>)[name] = option as number;
  }
  return Object.freeze(settings);
}

/** The demand one maintenance window (the time since the previous pass) saw. */
export interface TuningWindow {
  /** Highest stack use in the window, bytes. */
  stackPeakBytes: number;
  /** Stack-eligible requests that did not fit, in the window. */
  stackOverflows: number;
  /** Requests the stack served in the window. */
  stackAllocations: number;
  /** Highest in-use buffer count per size class in the window. */
  peakInUseBuffers: ArrayLike<number>;
  /** Whether a request fell back to the heap because the pool was exhausted, in the window. */
  poolExhausted: boolean;
  /** Pool requests (hits and misses) in the window. */
  poolRequests: number;
}

/** The limits autoTune reads and sets. */
export interface TunedLimits {
  /** Capacity of the stack arena. */
  stackBytes: number;
  /** Bound on buffers per size class. */
  poolMaxBuffersPerClass: number;
  /** Bound on pooled bytes: read, never changed. */
  poolMaxBytes: number;
}

/** The largest per-class bound (at most `upTo`) whose hinted buffers fit in `maxBytes`. */
function boundThatFits(perClass: Float64Array, upTo: number, maxBytes: number): number {
  const bytesAt = (bound: number): number => {
    let bytes = 0;
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) bytes += Math.min(perClass[c], bound) * 2 ** c;
    return bytes;
  };
  if (bytesAt(upTo) <= maxBytes) return upTo;
  let low = 0, high = upTo; // bytesAt(low) fits, bytesAt(high) does not
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (bytesAt(middle) <= maxBytes) low = middle;
    else high = middle;
  }
  return low;
}

/** Grow/shrink streaks of one setting. */
class Streaks {
  grow = 0;
  shrink = 0;

  /** Records a pass whose hint is `hint` against `current`; returns the value to set. */
  step(
    hint: number,
    current: number,
    ceiling: number,
    shrinkTo: number,
    settings: AutoTuneSettings,
  ): number {
    if (hint > current && current < ceiling) {
      this.shrink = 0;
      if (++this.grow < settings.growAfterPasses) return current;
      this.grow = 0;
      return Math.min(hint, ceiling);
    }
    this.grow = 0;
    if (hint * 2 <= current) {
      if (++this.shrink < settings.shrinkAfterPasses) return current;
      this.shrink = 0;
      return Math.max(hint, shrinkTo);
    }
    this.shrink = 0;
    return current;
  }
}

/**
 * The state of `autoTune` for one engine: the grow/shrink streaks of the stack
 * size and of the per-class buffer bound.
 *
 * @example
 * ```ts
 * import { AutoTuner, DEFAULT_AUTO_TUNE } from "./auto_tune.ts";
 * const tuner = new AutoTuner(DEFAULT_AUTO_TUNE);
 * const quiet = { stackPeakBytes: 0, stackOverflows: 0, stackAllocations: 0,
 *   peakInUseBuffers: new Float64Array(32), poolExhausted: false, poolRequests: 0 };
 * const limits = { stackBytes: 32768, poolMaxBuffersPerClass: 32, poolMaxBytes: 1 << 26 };
 * console.log(tuner.next(quiet, limits).stackBytes); // 32768: no traffic, no change
 * ```
 */
export class AutoTuner {
  /** The operator's bounds and hysteresis. */
  settings: AutoTuneSettings;
  readonly #stack = new Streaks();
  readonly #pool = new Streaks();

  /** Creates a tuner with no history. */
  constructor(settings: AutoTuneSettings) {
    this.settings = settings;
  }

  /** The limits to use after a window with demand `window`, given the `current` ones. */
  next(window: TuningWindow, current: TunedLimits): TunedLimits {
    const settings = this.settings;
    let stackBytes = current.stackBytes;
    if (stackBytes > 0 && window.stackAllocations + window.stackOverflows > 0) {
      const hint = recommendStackBytes({
        peakBytes: window.stackPeakBytes,
        capacityBytes: stackBytes,
        overflows: window.stackOverflows,
      });
      const half = Math.floor(stackBytes / 16) * 8;
      stackBytes = this.#stack.step(hint, stackBytes, settings.maxStackBytes, half, settings);
    }
    let perClass = current.poolMaxBuffersPerClass;
    if (perClass > 0 && window.poolRequests > 0) {
      const hint = recommendPoolBuffers(window.peakInUseBuffers, {
        bound: perClass,
        poolExhausted: window.poolExhausted,
      });
      const wanted = Math.min(hint.maxBuffersPerClass, settings.maxBuffersPerClass);
      const ceiling = Math.max(
        perClass,
        boundThatFits(hint.perClass, wanted, current.poolMaxBytes),
      );
      const half = Math.max(1, Math.ceil(perClass / 2));
      perClass = this.#pool.step(hint.maxBuffersPerClass, perClass, ceiling, half, settings);
    }
    return { stackBytes, poolMaxBuffersPerClass: perClass, poolMaxBytes: current.poolMaxBytes };
  }
}
