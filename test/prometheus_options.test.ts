import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import {
  checkOptions,
  HANDLER_OPTION_KEYS,
  resourceFromEnvironment,
  SERVE_OPTION_KEYS,
} from "../src/prometheus_options.ts";

describe("checkOptions", () => {
  it("accepts every known key and undefined values", () => {
    checkOptions("createMetricsHandler", undefined, HANDLER_OPTION_KEYS);
    checkOptions("serveMetrics", {
      port: 0,
      hostname: "::1",
      path: "/m",
      defaultMetrics: false,
      cacheMs: 0,
      attributes: { a: "b" },
      resource: { "service.name": "x" },
      engine: undefined,
      registry: { metrics: () => Promise.resolve("") },
    }, SERVE_OPTION_KEYS);
  });

  it("rejects an unknown key with a TypeError listing the known ones", () => {
    assert.throws(
      () => checkOptions("createMetricsHandler", { pathh: "/x" }, HANDLER_OPTION_KEYS),
      (error: Error) =>
        error instanceof TypeError &&
        error.message.startsWith("createMetricsHandler: an option must be one of ") &&
        error.message.endsWith(', received "pathh"') &&
        HANDLER_OPTION_KEYS.every((key) => error.message.includes(key)),
    );
  });

  it('rejects "host" and suggests "hostname"', () => {
    assert.throws(
      () => checkOptions("serveMetrics", { host: "0.0.0.0" }, SERVE_OPTION_KEYS),
      {
        name: "TypeError",
        message:
          /^serveMetrics: an option must be one of .*hostname.* \(did you mean "hostname"\?\), received "host"$/,
      },
    );
    // The handler has no hostname: no suggestion, and port is unknown there too.
    assert.throws(
      () => checkOptions("createMetricsHandler", { port: 1 }, HANDLER_OPTION_KEYS),
      /an option must be one of .*, received "port"$/,
    );
  });

  it("rejects wrong types with TypeError and out-of-range values with RangeError, quoting them", () => {
    const cases: Array<[Record<string, unknown>, ErrorConstructor, RegExp]> = [
      [{ cacheMs: -1 }, RangeError, /cacheMs must be .* received number -1/],
      [{ cacheMs: Infinity }, RangeError, /received number Infinity/],
      [{ cacheMs: "250" }, RangeError, /received "250"/],
      [{ defaultMetrics: 1 }, TypeError, /defaultMetrics must be a boolean, received number 1/],
      [{ registry: {} }, TypeError, /registry must be a prom-client Registry, received object/],
      [{ attributes: [] }, TypeError, /attributes must be an object, received Array/],
      [{ resource: "svc" }, TypeError, /resource must be an object, received "svc"/],
      [{ hostname: "" }, TypeError, /hostname must be a non-empty string/],
      [{ hostname: 0 }, TypeError, /received number 0/],
    ];
    for (const [options, type, message] of cases) {
      assert.throws(() => checkOptions("serveMetrics", options, SERVE_OPTION_KEYS), (error) => {
        assert.ok(error instanceof type, `${JSON.stringify(options)}: ${String(error)}`);
        assert.match((error as Error).message, message);
        return true;
      });
    }
    assert.throws(() => checkOptions("serveMetrics", null, SERVE_OPTION_KEYS), /received null/);
  });
});

describe("resourceFromEnvironment", () => {
  const saved = {
    name: process.env.OTEL_SERVICE_NAME,
    attributes: process.env.OTEL_RESOURCE_ATTRIBUTES,
  };
  afterEach(() => {
    for (
      const [key, value] of [
        ["OTEL_SERVICE_NAME", saved.name],
        ["OTEL_RESOURCE_ATTRIBUTES", saved.attributes],
      ] as const
    ) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("reads OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME, then the explicit attributes", () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES =
      "service.name=from-attributes, deployment.environment=prod,team=a%2Cb,broken,=x";
    delete process.env.OTEL_SERVICE_NAME;
    assert.deepEqual(resourceFromEnvironment(), {
      "service.name": "from-attributes",
      "deployment.environment": "prod",
      team: "a,b",
    });
    process.env.OTEL_SERVICE_NAME = "from-name";
    assert.equal(resourceFromEnvironment()["service.name"], "from-name");
    assert.equal(
      resourceFromEnvironment({ "service.name": "explicit" })["service.name"],
      "explicit",
    );
  });

  it("is empty without the variables", () => {
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    delete process.env.OTEL_SERVICE_NAME;
    assert.deepEqual(resourceFromEnvironment(), {});
  });
});
