/**
 * What the committed dashboards promise about Grafana versions: they declare schema
 * version 39, so Grafana runs its own migrations 40 to 42 over them on load, and
 * those migrations must leave them unchanged (40 makes `refresh` a string, 41 drops
 * `timepicker.time_options`, 42 hides from tooltips the fields hidden from the
 * visualization). They use only panel types and data-source references that schema
 * 39 knows, and no link placement (the SDK's default would tuck the link into the
 * controls menu of recent releases).
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DASHBOARDS, SCHEMA_VERSION } from "../dashboards/convpool_dashboards.ts";

interface TargetJson {
  datasource?: unknown;
  expr?: string;
}

interface PanelJson {
  type: string;
  title?: string;
  datasource?: unknown;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: TargetJson[];
  options?: Record<string, unknown>;
  fieldConfig?: { overrides?: { properties?: { id: string; value?: unknown }[] }[] };
  panels?: PanelJson[];
}

interface DashboardJson {
  schemaVersion: number;
  refresh?: unknown;
  timepicker?: Record<string, unknown>;
  links?: Record<string, unknown>[];
  panels: PanelJson[];
  templating: { list: { type: string; datasource?: unknown }[] };
}

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

function allPanels(panels: PanelJson[]): PanelJson[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

for (const { file } of DASHBOARDS) {
  describe(`dashboards/${file} for Grafana`, () => {
    const json = JSON.parse(
      readFileSync(new URL(`../dashboards/${file}`, import.meta.url), "utf8"),
    ) as DashboardJson;
    const panels = allPanels(json.panels);

    it(`declares schema version ${SCHEMA_VERSION}`, () => {
      assert.equal(SCHEMA_VERSION, 39);
      assert.equal(json.schemaVersion, SCHEMA_VERSION);
    });

    it("is left unchanged by Grafana's migrations 40, 41 and 42", () => {
      assert.equal(typeof json.refresh, "string"); // 40
      assert.equal(json.timepicker?.time_options, undefined); // 41
      for (const panel of panels) { // 42
        for (const override of panel.fieldConfig?.overrides ?? []) {
          for (const property of override.properties ?? []) {
            if (property.id !== "custom.hideFrom") continue;
            const value = property.value as { viz?: boolean; tooltip?: boolean };
            assert.ok(!value.viz || value.tooltip, `${panel.title}: hideFrom.viz without tooltip`);
          }
        }
      }
    });

    it("gives its links no placement, so that they show above the panels", () => {
      assert.ok((json.links ?? []).length > 0);
      for (const link of json.links ?? []) assert.equal(link.placement, undefined);
    });

    it("uses only row, timeseries, stat and heatmap panels on a 24-column grid", () => {
      for (const panel of panels) {
        assert.ok(["row", "timeseries", "stat", "heatmap"].includes(panel.type), panel.type);
        const grid = panel.gridPos!;
        assert.ok(grid.x >= 0 && grid.w > 0 && grid.x + grid.w <= 24, panel.title);
        if (panel.type === "heatmap") assert.equal(panel.options?.calculate, false);
      }
    });

    it("refers to the data source by the $datasource variable, as an object reference", () => {
      for (const panel of panels.filter((p) => p.type !== "row")) {
        assert.deepEqual(panel.datasource, DATASOURCE, panel.title);
        for (const target of panel.targets ?? []) assert.deepEqual(target.datasource, DATASOURCE);
      }
      for (const variable of json.templating.list.filter((v) => v.type === "query")) {
        assert.deepEqual(variable.datasource, DATASOURCE);
      }
    });

    it("keeps processes apart where a gauge is compared with a per-process setting", () => {
      // Gauges (not rates of counters) summed or maxed over several processes would be
      // compared with per-process bounds (buffers per class, stack bytes): group by instance.
      for (const panel of panels) {
        for (const { expr = "" } of panel.targets ?? []) {
          if (/\b(rate|increase)\(/.test(expr)) continue;
          const families = expr.match(/\bconvpool_[a-z_]+(?=\{)/g) ?? [];
          if (families.every((family) => family.endsWith("_total"))) continue;
          for (const group of expr.match(/\b(sum|max|min|avg) by \(([^)]*)\)/g) ?? []) {
            assert.match(group, /\binstance\b/, `${panel.title}: ${expr}`);
          }
        }
      }
    });
  });
}
