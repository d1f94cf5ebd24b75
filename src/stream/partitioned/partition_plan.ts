/**
 * The partition plan of the real-time engine: how a kernel of `kernelLength` taps is
 * cut for zero-latency streaming at a block size `B`.
 *
 * Taps `[0, B)` run directly in the time domain (the head). The rest is cut into
 * levels of uniform partitions whose size doubles from level to level, starting at
 * `B` (Gardner's non-uniform scheme). A level of partition size `P` processes input in
 * blocks of `P` samples; its transforms and multiply-accumulate are spread over the
 * `P / B` blocks of its period, so its result is ready `P - B` samples after its input
 * block completes. That is early enough when the level starts at tap `2P - B` or later,
 * which is the only constraint on the plan. Among the plans that meet it, the planner
 * picks the one of least modelled cost per block: each level costs its transforms
 * (about `log2(2P)` passes over `2B` points per block and channel), each partition
 * about `B` complex multiply-adds per block and path, whatever its size.
 *
 * @example
 * ```ts
 * import { planPartitions } from "./partition_plan.ts";
 * const plan = planPartitions(96_000, 128);
 * console.log(plan.headLength); // 128
 * console.log(plan.levels[0]); // { size: 128, offset: 128, count: 2 }
 * ```
 *
 * @module
 */

/**
 * One level of uniform partitions.
 *
 * @example
 * ```ts
 * import type { PartitionLevel } from "./partition_plan.ts";
 * const level: PartitionLevel = { size: 256, offset: 384, count: 2 }; // taps [384, 896)
 * ```
 */
export interface PartitionLevel {
  /** Partition size `P` in samples (the level's FFT size is `2P`). */
  readonly size: number;
  /** First tap the level covers (its partitions cover `[offset, offset + count * size)`). */
  readonly offset: number;
  /** Number of partitions. */
  readonly count: number;
}

/**
 * A kernel's cut into a direct head and levels of partitions.
 *
 * @example
 * ```ts
 * import { type PartitionPlan, planPartitions } from "./partition_plan.ts";
 * const plan: PartitionPlan = planPartitions(1000, 64);
 * console.log(plan.headLength); // 64
 * ```
 */
export interface PartitionPlan {
  readonly blockSize: number;
  /** Taps computed directly: `min(kernelLength, blockSize)`. */
  readonly headLength: number;
  readonly levels: readonly PartitionLevel[];
}

/**
 * Largest partition size (unless the block size is larger): the level's FFT of `2P`
 * points stays at most 65536 points.
 *
 * @example
 * ```ts
 * import { MAX_PARTITION_SIZE } from "./partition_plan.ts";
 * console.log(MAX_PARTITION_SIZE); // 32768
 * ```
 */
export const MAX_PARTITION_SIZE = 32768;

/** Modelled cost of one radix-2 stage over one complex point, in complex multiply-adds. */
const TRANSFORM_COST = 0.5;

/**
 * The cheapest zero-latency plan for `kernelLength` taps at block size `blockSize`
 * (a power of two), for `transforms` transforms per level and block (inputs plus
 * outputs) and `paths` input-to-output paths.
 *
 * @example
 * ```ts
 * import { planPartitions } from "./partition_plan.ts";
 * console.log(planPartitions(100, 128).levels.length); // 0: a direct filter
 * ```
 */
export function planPartitions(
  kernelLength: number,
  blockSize: number,
  transforms = 2,
  paths = 1,
): PartitionPlan {
  const headLength = Math.min(kernelLength, blockSize);
  if (kernelLength <= blockSize) return { blockSize, headLength, levels: [] };
  const maxSize = Math.max(blockSize, MAX_PARTITION_SIZE);
  const levelCost = (size: number) =>
    transforms * 2 * blockSize * (Math.log2(2 * size) * TRANSFORM_COST + 1);
  const partitionCost = paths * blockSize;
  // best(size, offset): cheapest cover of [offset, kernelLength) with levels of
  // partition size >= size, given that offset >= 2 * size - blockSize.
  const memo = new Map<string, { cost: number; levels: PartitionLevel[] }>();
  const best = (size: number, offset: number): { cost: number; levels: PartitionLevel[] } => {
    const key = `${size}:${offset}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const remaining = kernelLength - offset;
    const finish = Math.ceil(remaining / size);
    let result = {
      cost: levelCost(size) + finish * partitionCost,
      levels: [{ size, offset, count: finish }],
    };
    const next = 2 * size;
    if (next <= maxSize) {
      const least = Math.max(1, Math.ceil((2 * next - blockSize - offset) / size));
      for (let count = least; count < finish && count <= least + 3; count++) {
        const rest = best(next, offset + count * size);
        const cost = levelCost(size) + count * partitionCost + rest.cost;
        if (cost < result.cost) {
          result = { cost, levels: [{ size, offset, count }, ...rest.levels] };
        }
      }
    }
    memo.set(key, result);
    return result;
  };
  return { blockSize, headLength, levels: best(blockSize, blockSize).levels };
}
