// KinoraEngine: Kinora's inference engine — float32 tensors and kernels on OpenBLAS, safetensors
// loading, the MiniLM text encoder, samplers, reproducible noise and the video model. It knows
// nothing of GStreamer, D-Bus or what the frames show.
//
// Layout (one folder a layer, one type a file):
// - Tensor/       `Tensor` (row-major float32, copy-on-write storage), `EngineError`, the
//                 2-thread `parallelFor`, the optional `Profiler` used by the benchmark.
// - Kernels/      `Matmul` (cblas_sgemm; large products on OpenBLAS's threads, attention's
//                 per-head products one per engine thread; `BLASThreads` sets the count under
//                 a lock per operation; see `EngineThreads.matrixThreading`), `Linear`, `Conv2D` (im2col +
//                 GEMM), `GroupNorm`/`LayerNorm`/`RMSNorm`, `Softmax`, `Attention` (chunked over
//                 queries, heads read in place from projection outputs, key mask), `Activation`
//                 (SiLU, GELU erf/tanh on 8-lane `VectorMath`), `SinusoidalEmbedding`,
//                 `Patchify`, `Upsample`, fused `Elementwise` (adaLN modulate, gated residual).
// - Weights/      `SafetensorsFile` (mmap, strict header validation, F32/F16/BF16),
//                 `WeightLoader` (candle's VarBuilder: `loader.pp("blocks").pp(3)`).
// - TextEncoder/  `BasicTokenizer` + `WordPieceTokenizer` (BERT, as Hugging Face's), `BertModel`,
//                 `MiniLMTextEncoder` (mean-pooled, normalised; the denoiser's conditioning).
// - Random/       `PhiloxGenerator` (Philox 4×32-10 + Box–Muller; twin: Training/kinora_rng.py).
// - Samplers/     `Sampler` protocol; `FlowMatchEulerSampler`, `FlowMatchHeunSampler`,
//                 `DDIMSampler`, `DPMSolverMultistepSampler`; `TimestepSchedule` (shift),
//                 `ClassifierFreeGuidance`, `SamplingLoop` (progress, cancel, preview).
// - VideoModel/   Training/kinora_train/model.py in Swift: `FrameAutoencoder`, `VideoDiT`
//                 (+ `DiTBlock`), `VideoModelConfiguration` (config.json), `VideoModel` (a model
//                 folder) and `VideoGenerator` (prompt → latent clip, given frames, SDEdit).
//
// Every public entry validates shapes and arguments and throws `EngineError`,
// `SafetensorsError` or `WeightError` with context; nothing reachable from a model file or a
// request is meant to trap.
//
// Generating a clip (what a plugin does):
//
//     let text = try MiniLMTextEncoder(directory: MiniLMTextEncoder.defaultDirectory)
//     let model = try VideoModel(directory: "Models/kinora-shapes-v1")
//     let generator = VideoGenerator(textEncoder: text, model: model)
//     var request = VideoGenerationRequest(prompt: "a red circle moves left", model: model.configuration)
//     request.seed = 42                                   // same seed, same clip (Swift or Python)
//     request.givenLatents = [0: try model.encode(frames: still).slice(first: 0)]  // animate a still
//     let latents = try generator.generateLatents(request, progress: { p in
//         print("\(p.step)/\(p.totalSteps)"); return !cancelled })
//     let frames = try model.decode(latents: latents)     // [F, 3, 64, 64] in [−1, 1]
//
// For the next chunk of a stream, give its first `configuration.overlapFrames` frames the
// last latents of this one.
