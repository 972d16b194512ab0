/// How a sampling step gets its velocity from the denoiser under classifier-free guidance:
/// which prompts share the step's batch, the guidance input a guidance-distilled model takes
/// per row, and how the rows combine into one velocity.
enum GuidancePlan: Equatable, Sendable {
    /// One row: guidance off (scale 1), or a distilled model given the scale as an input.
    case single(guidanceInput: Float?)
    /// Classic guidance: conditional and unconditional rows, u + w·(c − u).
    case classic(scale: Float)
    /// A distilled model whose unconditional branch is its null prompt, asked for another
    /// negative prompt n: n + w·(c − n) = D(c, w) + (w − 1)·(D(∅, 1) − D(n, 1)), three rows.
    case distilledWithNegative(scale: Float)

    init(scale: Float, distilled: Bool, negativeIsNullPrompt: Bool) {
        switch (distilled, scale == 1) {
        case (false, true): self = .single(guidanceInput: nil)
        case (false, false): self = .classic(scale: scale)
        case (true, _) where scale == 1 || negativeIsNullPrompt: self = .single(guidanceInput: scale)
        case (true, _): self = .distilledWithNegative(scale: scale)
        }
    }

    /// The batch's prompts, in row order.
    func prompts(prompt: String, negative: String, nullPrompt: String) -> [String] {
        switch self {
        case .single: [prompt]
        case .classic: [prompt, negative]
        case .distilledWithNegative: [prompt, nullPrompt, negative]
        }
    }

    /// The guidance input per row, for a distilled model; nil for a classic one.
    var guidanceInputs: [Float]? {
        switch self {
        case .single(let input): input.map { [$0] }
        case .classic: nil
        case .distilledWithNegative(let scale): [scale, 1, 1]
        }
    }

    /// One velocity of `clipShape` from the batch's rows.
    func combine(_ rows: Tensor, clipShape: [Int], operation: String) throws -> Tensor {
        switch self {
        case .single:
            return try rows.reshaped(clipShape)
        case .classic(let scale):
            return try ClassifierFreeGuidance.combine(conditional: rows.slice(first: 0), unconditional: rows.slice(first: 1),
                                                     scale: scale)
        case .distilledWithNegative(let scale):
            return try Combine.linear([(1, rows.slice(first: 0)), (scale - 1, rows.slice(first: 1)),
                                       (1 - scale, rows.slice(first: 2))], operation: operation)
        }
    }
}
