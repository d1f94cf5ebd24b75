/**
 * An AudioWorklet processor that convolves its input with an impulse response
 * (a reverb or a long FIR filter) through convpool's `MultichannelConvolver`, on the
 * default engine: zero latency, and no allocation per render quantum (each block is
 * written straight into Web Audio's output arrays).
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
 * `impulseResponse` is one Float32Array, or its channels as an array, with the
 * channel rules of Web Audio's `ConvolverNode`:
 *
 * - one channel: every output channel convolves the input channel of the same index
 *   (or the last input channel when the input has fewer) with it;
 * - N channels: output channel `c` uses channel `c` (or the last one);
 * - four channels with `outputChannelCount: [2]`: true stereo, as a 4-channel
 *   ConvolverNode buffer: `left = inL * ir[0] + inR * ir[2]`,
 *   `right = inL * ir[1] + inR * ir[3]` (a mono input feeds both sides).
 *
 * An unconnected input is treated as silence, so the
 * reverb's tail still plays out.
 *
 * @module
 */

import { MultichannelConvolver } from "../../mod.ts";

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
  /** The output's channel count (as given to the node); `[2]` for true stereo. */
  outputChannelCount?: number[];
  processorOptions: {
    /**
     * The impulse response (kernel): one channel shared by every output channel, or
     * its channels (see the module docs: one per output channel, or four for true
     * stereo).
     */
    impulseResponse: Float32Array | Float32Array[];
  };
}

const NAME = "convpool-convolver";

/** The impulse response's channels, checked (the messages quote what was received). */
function impulseChannels(options: ConvolverProcessorOptions): Float32Array[] {
  const response = options?.processorOptions?.impulseResponse;
  const channels = response instanceof Float32Array ? [response] : response;
  if (
    !Array.isArray(channels) || channels.length === 0 ||
    !channels.every((channel) => channel instanceof Float32Array)
  ) {
    throw new TypeError(
      `${NAME}: processorOptions.impulseResponse must be a Float32Array or a non-empty array of them, received ${
        describe(response)
      }`,
    );
  }
  if (channels.length === 4 && options.outputChannelCount?.[0] !== 2) {
    throw new RangeError(
      `${NAME}: a 4-channel (true stereo) impulseResponse needs outputChannelCount [2], received ${
        describe(options.outputChannelCount)
      }`,
    );
  }
  return channels;
}

/** A short description of a received value for error messages, e.g. `Float64Array(3)`. */
function describe(value: unknown): string {
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name}(${(value as Float32Array).length})`;
  }
  if (Array.isArray(value)) return `Array(${value.length}) [${value.map(describe).join(", ")}]`;
  return typeof value === "number" ? String(value) : value === null ? "null" : typeof value;
}

/**
 * Convolves the input with the impulse response, block by block, through one
 * `MultichannelConvolver`: one forward transform per input channel and one inverse per
 * output channel, however many paths there are.
 */
class ConvolverProcessor extends AudioWorkletProcessor {
  readonly #channels: Float32Array[];
  readonly #trueStereo: boolean;
  #convolver: MultichannelConvolver<Float32Array> | null = null;
  /** The convolver's input channels, refilled per render quantum (no allocation). */
  readonly #inputList: Float32Array[] = [];
  #silence = new Float32Array(128);

  constructor(options: ConvolverProcessorOptions) {
    super();
    this.#channels = impulseChannels(options);
    this.#trueStereo = this.#channels.length === 4;
    // Prepare the convolver for the channels announced up front, so that the first
    // render quanta do not also transform the impulse response.
    const outputs = this.#trueStereo ? 2 : options.outputChannelCount?.[0] ?? 0;
    if (outputs > 0) this.#convolver = this.#create(outputs);
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const input = inputs[0];
    const output = outputs[0];
    if (output.length === 0) return true;
    if (this.#convolver === null || this.#convolver.outputs !== output.length) {
      this.#convolver = this.#create(output.length);
    }
    const convolver = this.#convolver;
    const list = this.#inputList;
    const length = output[0].length;
    for (let channel = 0; channel < convolver.inputs; channel++) {
      list[channel] = this.#inputChannel(input, channel, length);
    }
    convolver.process(list, output);
    return true;
  }

  /**
   * The convolver for `outputs` output channels: true stereo is a 2 x 2 matrix
   * (`kernels[input][output]` = ir[2 * input + output]); otherwise output `c` convolves
   * input channel `c` with impulse-response channel `c` (or the last one), a diagonal.
   * The only allocation: every later block writes into Web Audio's arrays in place.
   */
  #create(outputs: number): MultichannelConvolver<Float32Array> {
    const channels = this.#channels;
    const last = channels.length - 1;
    const kernels: (Float32Array | null)[][] = this.#trueStereo
      ? [[channels[0], channels[1]], [channels[2], channels[3]]]
      : Array.from(
        { length: outputs },
        (_, row) =>
          Array.from(
            { length: outputs },
            (_, column) => row === column ? channels[Math.min(row, last)] : null,
          ),
      );
    // blockSize 128, the render quantum: every quantum then costs about the same.
    return new MultichannelConvolver(kernels, { blockSize: 128 });
  }

  /** Input channel `index` (or the last one), or silence when the input is unconnected. */
  #inputChannel(input: Float32Array[], index: number, length: number): Float32Array {
    if (input.length > 0) return input[Math.min(index, input.length - 1)];
    if (this.#silence.length !== length) this.#silence = new Float32Array(length);
    return this.#silence;
  }
}

registerProcessor(NAME, ConvolverProcessor);
