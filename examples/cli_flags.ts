/**
 * Checks for the command-line flags the examples share (`--duration`, `--port`),
 * with errors that quote what was received.
 *
 * @example
 * ```ts
 * import { durationFlag, portFlag } from "./cli_flags.ts";
 * console.log(durationFlag("2.5"), portFlag(undefined)); // 2.5 undefined
 * ```
 *
 * @module
 */

/**
 * `--duration` in seconds: a positive finite number, or `undefined` when the flag
 * was not given.
 *
 * @throws {RangeError} for anything else, quoting it.
 */
export function durationFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!(seconds > 0 && Number.isFinite(seconds))) {
    throw new RangeError(
      `--duration must be a positive number of seconds: received ${JSON.stringify(value)}`,
    );
  }
  return seconds;
}

/**
 * `--port`: an integer in [0, 65535] (0 picks a free port), or `undefined` when the
 * flag was not given.
 *
 * @throws {RangeError} for anything else, quoting it.
 */
export function portFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new RangeError(
      `--port must be an integer in [0, 65535]: received ${JSON.stringify(value)}`,
    );
  }
  return port;
}
