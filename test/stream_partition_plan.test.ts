import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MAX_PARTITION_SIZE, planPartitions } from "../src/stream/partitioned/partition_plan.ts";

describe("planPartitions", () => {
  it("gives a direct filter when the kernel fits in one block", () => {
    assert.deepEqual(planPartitions(100, 128), { blockSize: 128, headLength: 100, levels: [] });
    assert.deepEqual(planPartitions(128, 128).levels, []);
  });

  it("covers every tap once, in doubling levels, each starting late enough for zero latency", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8, 16, 32, 64, 128, 256, 1024),
        fc.integer({ min: 1, max: 400_000 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 16 }),
        (block, m, transforms, paths) => {
          const plan = planPartitions(m, block, transforms, paths);
          assert.equal(plan.headLength, Math.min(m, block));
          let covered = plan.headLength;
          let size = block;
          for (const level of plan.levels) {
            assert.equal(level.size, size, "sizes double from the block size");
            assert.equal(level.offset, covered, "levels are contiguous");
            // The level's result is ready P - B samples after its input block ends.
            assert.ok(level.offset >= 2 * level.size - block, JSON.stringify(level));
            assert.ok(level.count >= 1 && level.size <= Math.max(block, MAX_PARTITION_SIZE));
            covered += level.count * level.size;
            size *= 2;
          }
          assert.ok(covered >= m, "the kernel is covered");
          const last = plan.levels.at(-1);
          if (last !== undefined) {
            assert.ok(covered - last.size < m, "no partition lies wholly beyond the kernel");
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("uses larger partitions for a reverb-length kernel than uniform partitioning would", () => {
    const plan = planPartitions(96_000, 128);
    const partitions = plan.levels.reduce((sum, level) => sum + level.count, 0);
    assert.ok(plan.levels.length > 1, JSON.stringify(plan.levels));
    assert.ok(partitions < 749 / 4, `${partitions} partitions`);
  });
});
