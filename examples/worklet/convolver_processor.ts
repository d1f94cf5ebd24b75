/**
 * An AudioWorklet processor that convolves its input with an impulse response
 * (a reverb or a long FIR filter) through convpool's `StreamingConvolver`, on the
 * default engine: zero latency, and no allocation per render quantum (each block is
 * written straight into Web Audio's output array with `out`).
 *
 * Copy this file into your project, import from `convpool` (npm) or
 * `jsr:@convpool/convpool` instead of `../../mod.ts`, and bundle it for the browser:
 *
 *   npx esbuild convolver_processor.ts --bundle --format=esm --minify --outfile=convolver_processor.js
 *
 * Then, in the page:
 *
 * ```js
 * await context.audioWorklet.addModule("convolver_processor.js");
 * const node = new AudioWorkletNode(context, "convpool-convolver", {
 *   outputChannelCount: [1],
 *   processorOptions: { impulseResponse }, // a Float32Array, copied into the worklet
 * });
 * source.connect(node).connect(context.destination);
 * ```
 *
 * Each output channel convolves the input channel of the same index (or channel 0
 * when the input has fewer channels), with one convolver per channel. An
 * unconnected input is treated as silence, so the reverb's tail still plays out.
 *
 * @module
 */

import { StreamingConvolver } from "../../mod.ts";

// The AudioWorkletGlobalScope's own names, typed locally (the DOM library has no
// worklet types).
declare const AudioWorkletProcessor: {
  prototype: { readonly port: MessagePort };
  new (): { readonly port: MessagePort };
};
declare function registerProcessor(
  name: string,
  processor: new (options: ConvolverProcessorOptions) => unknown,
): void;

/** What `new AudioWorkletNode(context, "convpool-convolver", options)` passes in. */
export interface ConvolverProcessorOptions {
  processorOptions: {
    /** The impulse response (kernel), one channel, shared by every output channel. */
    impulseResponse: Float32Array;
  };
}

/** Convolves each input channel with the impulse response, block by block. */
class ConvolverProcessor extends AudioWorkletProcessor {
  readonly #impulseResponse: Float32Array;
  readonly #convolvers: StreamingConvolver<Float32Array>[] = [];
  #silence = new Float32Array(128);

  constructor(options: ConvolverProcessorOptions) {
    super();
    this.#impulseResponse = options.processorOptions.impulseResponse;
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const input = inputs[0];
    const output = outputs[0];
    for (let channel = 0; channel < output.length; channel++) {
      const out = output[channel];
      // One convolver per output channel, created the first time the channel appears
      // (the only allocation; every later block writes into `out` in place).
      // blockSize 128, the render quantum: every quantum then costs about the same.
      this.#convolvers[channel] ??= new StreamingConvolver(this.#impulseResponse, {
        blockSize: 128,
      });
      let block = input.length > 0 ? input[Math.min(channel, input.length - 1)] : undefined;
      if (block === undefined) {
        if (this.#silence.length !== out.length) this.#silence = new Float32Array(out.length);
        block = this.#silence;
      }
      this.#convolvers[channel].process(block, out);
    }
    return true;
  }
}

registerProcessor("convpool-convolver", ConvolverProcessor);
