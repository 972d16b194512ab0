import XCTest
@testable import KinoraEngine

/// Each kernel against PyTorch's output on the same inputs (Fixtures/ops.safetensors).
/// Tolerance: 1e-5 absolute for element-wise ops and norms, 1e-4 for sums over ≤ 54 products
/// (matmul, linear, conv, attention), where float32 summation order differs from PyTorch's.
final class KernelFixtureTests: XCTestCase {
    var ops: SafetensorsFile!

    override func setUpWithError() throws { ops = try Fixture.file("ops") }

    func t(_ name: String) throws -> Tensor { try ops.tensor(name) }

    func testMatmul() throws {
        assertClose(try Matmul.matmul(t("matmul.a"), t("matmul.b")), try t("matmul.out"), tolerance: 1e-4, "matmul")
        let bt = try Tensor(shape: [29, 33], storage: {
            let b = try t("matmul.b"); var s = [Float](repeating: 0, count: 29 * 33)
            for i in 0 ..< 33 { for j in 0 ..< 29 { s[j * 33 + i] = b.storage[i * 29 + j] } }
            return s }())
        assertClose(try Matmul.matmul(t("matmul.a"), bt, transposeB: true), try t("matmul.out"), tolerance: 1e-4, "matmul Bᵀ")
    }

    func testLinear() throws {
        let linear = try Linear(weight: t("linear.weight"), bias: t("linear.bias"))
        assertClose(try linear(t("linear.x")), try t("linear.out"), tolerance: 1e-4, "linear")
    }

    func testConvolutions() throws {
        for (name, stride, padding) in [("conv3s1", 1, 1), ("conv3s2", 2, 1), ("conv1", 1, 0)] {
            let conv = try Conv2D(weight: t("\(name).weight"), bias: t("\(name).bias"), stride: stride, padding: padding)
            assertClose(try conv(t("\(name).x")), try t("\(name).out"), tolerance: 1e-4, name)
        }
    }

    func testNorms() throws {
        let gn = try GroupNorm(groups: 4, channels: 8, epsilon: 1e-5, weight: t("groupnorm.weight"), bias: t("groupnorm.bias"))
        assertClose(try gn(t("groupnorm.x")), try t("groupnorm.out"), tolerance: 1e-5, "group norm")
        let ln = try LayerNorm(features: 32, epsilon: 1e-5, weight: t("layernorm.weight"), bias: t("layernorm.bias"))
        assertClose(try ln(t("layernorm.x")), try t("layernorm.out"), tolerance: 1e-5, "layer norm")
        let plain = try LayerNorm(features: 32, epsilon: 1e-6)
        assertClose(try plain(t("layernorm.x")), try t("layernorm.plain"), tolerance: 1e-5, "layer norm without affine")
        let rms = try RMSNorm(features: 32, epsilon: 1e-6, weight: t("rmsnorm.weight"))
        assertClose(try rms(t("rmsnorm.x")), try t("rmsnorm.out"), tolerance: 1e-5, "rms norm")
    }

    func testSoftmaxAndActivations() throws {
        assertClose(try Softmax.lastAxis(t("softmax.x")), try t("softmax.out"), tolerance: 1e-6, "softmax")
        let x = try t("act.x")
        assertClose(Activation.silu(x), try t("act.silu"), tolerance: 1e-5, "silu")
        assertClose(Activation.gelu(x), try t("act.gelu"), tolerance: 1e-5, "gelu")
        assertClose(Activation.geluTanh(x), try t("act.gelu_tanh"), tolerance: 1e-5, "gelu tanh")
    }

    func testAttentionWithMaskAndChunks() throws {
        let mask = try t("attention.mask")
        let keyMask = (0 ..< 2).map { b in (0 ..< 7).map { mask.storage[b * 7 + $0] > 0.5 } }
        for chunk in [3, 256] {
            let y = try Attention.multiHead(q: t("attention.q"), k: t("attention.k"), v: t("attention.v"),
                                            heads: 4, keyMask: keyMask, queryChunk: chunk)
            assertClose(y, try t("attention.out"), tolerance: 1e-5, "masked attention, chunk \(chunk)")
            let y0 = try Attention.multiHead(q: t("attention.q"), k: t("attention.k"), v: t("attention.v"),
                                             heads: 4, queryChunk: chunk)
            assertClose(y0, try t("attention.unmasked"), tolerance: 1e-5, "attention, chunk \(chunk)")
        }
    }

    func testUpsampleEmbeddingsPatchify() throws {
        assertClose(try Upsample.nearest2x(t("upsample.x")), try t("upsample.out"), tolerance: 0, "upsample")
        let tt = try t("sincos.t").storage.map { 1000 * $0 }
        // Arguments up to 1000 rad: float32 rounding of t·w dominates, hence 1e-4.
        assertClose(try SinusoidalEmbedding.embed(tt, dimension: 256, order: .sineFirst), try t("sincos.t_out"),
                    tolerance: 1e-4, "timestep sincos")
        assertClose(try SinusoidalEmbedding.embed(try t("sincos.pos").storage, dimension: 64, order: .sineFirst),
                    try t("sincos.pos_out"), tolerance: 1e-5, "position sincos")
        let x = try t("patchify.x")
        let tokens = try Patchify.patchify(x, patch: 2)
        assertClose(tokens, try t("patchify.out"), tolerance: 0, "patchify")
        assertClose(try Patchify.unpatchify(tokens, frames: 3, channels: 5, height: 4, width: 6, patch: 2), x,
                    tolerance: 0, "unpatchify")
    }

    func testPaddingMaskTrimming() {
        let seg = Attention.Segment(query: 0, key: 0, value: 0, output: 0, queries: 4, keys: 4, mask: 4)
        let inf = -Float.infinity
        let prefix = Attention.trimmingPaddingMask(seg, maskBias: [9, 9, 9, 9, 0, 0, inf, inf])
        XCTAssertEqual(prefix.keys, 2)
        XCTAssertNil(prefix.mask)
        let holes = Attention.trimmingPaddingMask(seg, maskBias: [9, 9, 9, 9, 0, inf, 0, inf])
        XCTAssertEqual(holes.keys, 4)
        XCTAssertEqual(holes.mask, 4)
        XCTAssertEqual(Attention.trimmingPaddingMask(seg, maskBias: [9, 9, 9, 9, inf, inf, inf, inf]).mask, 4, "all masked stays masked")
        XCTAssertNil(Attention.trimmingPaddingMask(seg, maskBias: [9, 9, 9, 9, 0, 0, 0, 0]).mask)
    }

    func testRotaryEmbedding() throws {
        let y = try RotaryEmbedding.apply(t("rope.x"), heads: 2, positions: try t("rope.pos").storage)
        assertClose(y, try t("rope.out"), tolerance: 1e-6, "rotary embedding")
        XCTAssertThrowsError(try RotaryEmbedding.apply(t("rope.x"), heads: 3, positions: []))
    }

    func testFusedElementwise() throws {
        let x = try t("modulate.x")
        assertClose(try Elementwise.modulate(x, shift: t("modulate.shift"), scale: t("modulate.scale")),
                    try t("modulate.out"), tolerance: 1e-6, "modulate")
        var r = x
        try Elementwise.gatedResidual(&r, t("gated.y"), gate: t("gated.gate"))
        assertClose(r, try t("gated.out"), tolerance: 1e-6, "gated residual")
    }

    func testBadShapesThrow() throws {
        let a = try Tensor(zeros: [2, 3]), b = try Tensor(zeros: [4, 5])
        XCTAssertThrowsError(try Matmul.matmul(a, b))
        XCTAssertThrowsError(try Linear(weight: a, bias: b))
        XCTAssertThrowsError(try Conv2D(weight: a, bias: nil))
        XCTAssertThrowsError(try GroupNorm(groups: 3, channels: 8))
        XCTAssertThrowsError(try Attention.multiHead(q: try Tensor(zeros: [1, 2, 8]), k: try Tensor(zeros: [1, 3, 8]),
                                                     v: try Tensor(zeros: [1, 3, 8]), heads: 3))
        XCTAssertThrowsError(try Patchify.patchify(try Tensor(zeros: [1, 2, 3, 3]), patch: 2))
        XCTAssertThrowsError(try Tensor(shape: [2, 2], storage: [1, 2, 3]))
        XCTAssertThrowsError(try Tensor(zeros: [Int.max, 4]))
    }
}
