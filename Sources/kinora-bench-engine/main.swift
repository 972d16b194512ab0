// kinora-bench-engine: times the engine on the shapes Kinora runs, for Benchmarks/engine/bench.py.
//
//   kinora-bench-engine [--text-encoder DIR] [--dit DIR] [--model DIR] [--repeats N] [--sentences FILE]
//
// Prints one JSON object: raw OpenBLAS sgemm GFLOP/s, MiniLM and DiT timings (best of
// repeats, after a warm-up), per-op time shares, the engine's matrix GFLOP/s, peak RSS.
// `--dit DIR` holds config.json (the model folder format), the denoiser weights and io.safetensors (inputs
// written by bench.py, so both engines run the same weights on the same data; a `guidance` tensor
// there is passed to a guidance-distilled denoiser). `--model DIR` (a
// model folder, e.g. Models/kinora-shapes-v1) times what one chunk of the elements costs: a
// denoiser call at batch 1 and 2 and decoding one chunk's new frames.
import COpenBLAS
import Foundation
import KinoraEngine

struct Options {
    var textEncoder: String?
    var dit: String?
    var model: String?
    var repeats = 5
    var sentences: String?

    init(_ args: [String]) throws {
        var i = 1
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw EngineError.invalidArgument(operation: "kinora-bench-engine", detail: "\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--text-encoder": textEncoder = try value()
            case "--dit": dit = try value()
            case "--model": model = try value()
            case "--repeats": repeats = Int(try value()) ?? 5
            case "--threads": EngineThreads.count = max(1, Int(try value()) ?? 2)
            case "--engine-threading": EngineThreads.matrixThreading = .engine
            case "--gemm-blocks": EngineThreads.gemmBlocksPerThread = max(1, Int(try value()) ?? 4)
            case "--sentences": sentences = try value()
            default: throw EngineError.invalidArgument(operation: "kinora-bench-engine", detail: "unknown option \(args[i])")
            }
            i += 1
        }
    }
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// The best wall time of `repeats` runs after one warm-up: on a shared machine the fastest
/// run is the one least disturbed by other processes, so it compares implementations best.
func timeBest(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times: [Double] = []
    for _ in 0 ..< max(1, repeats) {
        let start = now()
        try body()
        times.append(now() - start)
    }
    return times.min() ?? 0
}

/// Best GFLOP/s of cblas_sgemm (OpenBLAS's own threading, `threads` of them), the ceiling
/// the engine's matrix work is measured against.
func rawSgemm(m: Int, n: Int, k: Int, threads: Int, repeats: Int = 10) -> Double {
    openblas_set_num_threads(Int32(threads))
    defer { openblas_set_num_threads(1) }
    var rng = PhiloxGenerator(seed: 1)
    let a = rng.uniforms(count: m * k), b = rng.uniforms(count: k * n)
    var c = [Float](repeating: 0, count: m * n)
    var best = Double.infinity
    for _ in 0 ..< repeats + 1 {
        let start = now()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(k), 0, &c, Int32(n))
        best = min(best, now() - start)
    }
    return 2 * Double(m) * Double(n) * Double(k) / best / 1e9
}

/// VmHWM from /proc: unlike getrusage's ru_maxrss it is not inherited across fork+exec
/// from the parent (a Python benchmark holding PyTorch).
func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1024
}

func profile(_ body: () throws -> Void) rethrows -> [String: Any] {
    Profiler.reset()
    Profiler.isEnabled = true
    try body()
    Profiler.isEnabled = false
    let total = Profiler.entries.values.reduce(0) { $0 + $1.seconds }
    var shares: [String: Any] = [:]
    for (name, e) in Profiler.entries {
        shares[name] = ["seconds": e.seconds, "share": total > 0 ? e.seconds / total : 0, "calls": e.calls,
                        "gflops": e.seconds > 0 && e.flops > 0 ? e.flops / e.seconds / 1e9 : 0]
    }
    let matrix = ["linear", "attention", "conv2d"].compactMap { Profiler.entries[$0] }
    let flops = matrix.reduce(0) { $0 + $1.flops }, seconds = matrix.reduce(0) { $0 + $1.seconds }
    return ["ops": shares, "matrix_gflops": seconds > 0 ? flops / seconds / 1e9 : 0, "profiled_seconds": total]
}

func run() throws {
    let options = try Options(CommandLine.arguments)
    var report: [String: Any] = ["threads": EngineThreads.count]
    // Which OpenBLAS kernels run (OPENBLAS_CORETYPE can pin them, e.g. to AVX2 "Haswell").
    if let core = openblas_get_corename() { report["openblas_core"] = String(cString: core) }
    var raw: [String: Double] = [:]
    for t in [1, EngineThreads.count] {
        raw["1024³, \(t) thread(s)"] = rawSgemm(m: 1024, n: 1024, k: 1024, threads: t)
        raw["512³, \(t) thread(s)"] = rawSgemm(m: 512, n: 512, k: 512, threads: t)
    }
    report["sgemm_gflops"] = raw

    if let dir = options.textEncoder {
        let encoder = try MiniLMTextEncoder(directory: dir)
        var sentences = ["A red circle moves left on a blue background."]
        if let file = options.sentences {
            sentences = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let seconds = try timeBest(options.repeats) { _ = try encoder.encode(sentences) }
        let tokens = try sentences.reduce(0) { $0 + (try encoder.tokenizer.encode($1).ids.count) }
        var minilm: [String: Any] = ["seconds": seconds, "sentences": sentences.count, "tokens": tokens]
        minilm["profile"] = try profile { _ = try encoder.encode(sentences) }
        report["minilm"] = minilm
    }

    if let dir = options.dit {
        let config = try VideoModelConfiguration(file: dir + "/config.json")
        let dit = try VideoDiT(WeightLoader(paths: [dir + "/" + config.denoiserFile]), configuration: config.dit)
        let io = try SafetensorsFile(path: dir + "/io.safetensors")
        let x = try io.tensor("x"), given = try io.tensor("given"), t = try io.tensor("t")
        let ctx = try io.tensor("ctx"), mask = try io.tensor("mask"), pooled = try io.tensor("pooled")
        let (b, f, l) = (x.shape[0], x.shape[1], ctx.shape[1])
        // A guidance-distilled denoiser takes its guidance scale as an input (one per sample).
        let guidance: [Float]? = io.tensors["guidance"] != nil ? try io.tensor("guidance").storage : nil
        let keyMask = (0 ..< b).map { bi in (0 ..< l).map { mask.storage[bi * l + $0] > 0.5 } }
        let givenRows = (0 ..< b).map { Array(given.storage[$0 * f ..< ($0 + 1) * f]) }
        var velocity: Tensor?
        // Per step, as a sampler calls it: the text projection is prepared once per prompt.
        let text = try dit.prepare(context: ctx, mask: keyMask, pooled: pooled)
        var workspace = DiTWorkspace()
        let step = try timeBest(options.repeats) {
            velocity = try dit(x, given: givenRows, t: t.storage, guidance: guidance, text: text, workspace: &workspace)
        }
        // A whole forward including the text projection, as PyTorch's module does it.
        let full = try timeBest(options.repeats) {
            let text = try dit.prepare(context: ctx, mask: keyMask, pooled: pooled)
            velocity = try dit(x, given: givenRows, t: t.storage, guidance: guidance, text: text)
        }
        var entry: [String: Any] = ["seconds_per_step": step, "seconds_full_forward": full, "batch": b, "frames": f]
        if let velocity, io.tensors["velocity"] != nil {
            entry["max_abs_diff_vs_pytorch"] = Double(try velocity.maxAbsDifference(try io.tensor("velocity")))
        }
        entry["profile"] = try profile { _ = try dit(x, given: givenRows, t: t.storage, guidance: guidance, text: text, workspace: &workspace) }
        report["dit"] = entry
    }
    if let dir = options.model {
        report["model"] = try chunkCosts(modelFolder: dir, repeats: options.repeats)
    }
    report["peak_rss_mb"] = peakRSSMegabytes()
    let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("kinora-bench-engine: \(error)\n".utf8))
    exit(1)
}

/// One chunk's parts on a real model folder: a denoiser call (batch 1: one branch or a
/// guidance-distilled model; batch 2: classifier-free guidance) and decoding the chunk's new
/// frames, with random latents and text (the cost does not depend on the values).
func chunkCosts(modelFolder: String, repeats: Int) throws -> [String: Any] {
    let model = try VideoModel(directory: modelFolder)
    let c = model.configuration
    var rng = PhiloxGenerator(seed: 3)
    let frame = [c.dit.latentChannels, c.dit.latentSize, c.dit.latentSize]
    var entry: [String: Any] = ["frames": c.native.frames, "overlap": c.overlapFrames,
                                "guidance_distilled": c.dit.guidanceEmbedding, "default_steps": c.sampler.steps]
    for batch in [1, 2] {
        let x = try rng.normalTensor(shape: [batch, c.native.frames, c.dit.stateChannels, c.dit.latentSize, c.dit.latentSize])
        let ctx = try rng.normalTensor(shape: [batch, c.textEncoder.maxTokens, c.dit.textDim])
        let pooled = try rng.normalTensor(shape: [batch, c.dit.textDim])
        let text = try model.denoiser.prepare(context: ctx, mask: Array(repeating: Array(repeating: true, count: c.textEncoder.maxTokens), count: batch), pooled: pooled)
        let given = Array(repeating: Array(repeating: Float(0), count: c.native.frames), count: batch)
        let guidance: [Float]? = c.dit.guidanceEmbedding ? Array(repeating: c.sampler.guidance, count: batch) : nil
        var workspace = DiTWorkspace()
        entry["denoiser_call_batch\(batch)_seconds"] = try timeBest(repeats) {
            _ = try model.denoiser(x, given: given, t: Array(repeating: 0.5, count: batch), guidance: guidance, text: text, workspace: &workspace)
        }
    }
    let newFrames = c.native.frames - c.overlapFrames
    let latents = try rng.normalTensor(shape: [newFrames] + frame)
    entry["decode_new_frames_seconds"] = try timeBest(repeats) { _ = try model.decode(latents: latents) }
    entry["decode_profile"] = try profile { _ = try model.decode(latents: latents) }
    return entry
}
