/**
 * The modules outside `src/runtime/` that may use runtime-specific APIs directly,
 * and why: checked against the code by `test/runtime_boundaries.test.ts` and
 * against ARCHITECTURE.md by `test/architecture_doc.test.ts`.
 *
 * @module
 */

/** Module path (from the repository root) to the reason it is an exception. */
export const RUNTIME_EXCEPTIONS: Readonly<Record<string, string>> = {
  "src/prometheus.ts": "the Prometheus entry point (server side, its own export)",
  "src/prometheus_runtime.ts": "prom-client's runtime metrics for the Prometheus entry point",
};
