/// Why a safetensors file, or a tensor in it, was refused. Every case names the file.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(file: String, reason: String)
    case truncated(file: String, detail: String)
    case invalidHeader(file: String, detail: String)
    case invalidTensor(file: String, tensor: String, detail: String)
    case unsupportedDType(file: String, tensor: String, dtype: String)

    public var description: String {
        switch self {
        case .cannotOpen(let f, let r): return "\(f): cannot open: \(r)"
        case .truncated(let f, let d): return "\(f): truncated: \(d)"
        case .invalidHeader(let f, let d): return "\(f): invalid safetensors header: \(d)"
        case .invalidTensor(let f, let t, let d): return "\(f): tensor '\(t)': \(d)"
        case .unsupportedDType(let f, let t, let d): return "\(f): tensor '\(t)': dtype \(d) cannot be read as float32"
        }
    }
}

/// Why a weight lookup failed. Every case names the full tensor name.
public enum WeightError: Error, Equatable, CustomStringConvertible {
    case missingTensor(name: String, searched: [String])
    case shapeMismatch(name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missingTensor(let n, let files): return "missing tensor '\(n)' (searched \(files.joined(separator: ", ")))"
        case .shapeMismatch(let n, let e, let f): return "tensor '\(n)' has shape \(f), expected \(e)"
        }
    }
}
