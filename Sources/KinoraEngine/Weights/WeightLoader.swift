/// Looks weights up by name across one or more safetensors files, with name prefixes pushed
/// per layer (candle's `VarBuilder`): `loader.pp("blocks").pp(3).tensor("attn.qkv.weight")`
/// reads `blocks.3.attn.qkv.weight`. Missing or mis-shaped tensors are errors naming them.
public struct WeightLoader: Sendable {
    private let files: [SafetensorsFile]
    /// The prefix components pushed so far.
    public let prefix: [String]

    /// A loader over `files`, searched in order.
    public init(files: [SafetensorsFile], prefix: [String] = []) {
        self.files = files
        self.prefix = prefix
    }

    /// Opens and validates the safetensors files at `paths`.
    public init(paths: [String]) throws {
        self.init(files: try paths.map { try SafetensorsFile(path: $0) })
    }

    /// A loader with `component` pushed onto the prefix ("push prefix").
    public func pp(_ component: String) -> WeightLoader {
        WeightLoader(files: files, prefix: prefix + [component])
    }

    /// A loader with an index pushed onto the prefix (`blocks.0`, `blocks.1`, …).
    public func pp(_ index: Int) -> WeightLoader { pp(String(index)) }

    /// The full name of `name` under the current prefix.
    public func fullName(_ name: String) -> String {
        (prefix + [name]).joined(separator: ".")
    }

    /// Whether a tensor exists under the current prefix.
    public func contains(_ name: String) -> Bool {
        let full = fullName(name)
        return files.contains { $0.tensors[full] != nil }
    }

    /// The named tensor as float32, of any shape.
    public func tensor(_ name: String) throws -> Tensor {
        let full = fullName(name)
        guard let file = files.first(where: { $0.tensors[full] != nil }) else {
            throw WeightError.missingTensor(name: full, searched: files.map(\.path))
        }
        return try file.tensor(full)
    }

    /// The named tensor, which must have exactly `shape`.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let t = try tensor(name)
        guard t.shape == shape else {
            throw WeightError.shapeMismatch(name: fullName(name), expected: shape, found: t.shape)
        }
        return t
    }
}
