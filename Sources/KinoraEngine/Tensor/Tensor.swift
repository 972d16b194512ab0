/// A dense, row-major float32 tensor.
///
/// Storage is a Swift array, so copies are copy-on-write: `reshaped` and passing a tensor
/// around never copy its elements. Kernels read and write it through unsafe pointers.
public struct Tensor: Sendable, Equatable {
    /// The extent of each axis, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `storage.count == shape.product`.
    public var storage: [Float]

    /// The number of elements.
    public var count: Int { storage.count }
    /// The number of axes.
    public var rank: Int { shape.count }

    /// A tensor of `shape` filled with `value`.
    public init(zeros shape: [Int], value: Float = 0) throws {
        let n = try Tensor.elementCount(shape, operation: "Tensor(zeros:)")
        self.shape = shape
        self.storage = [Float](repeating: value, count: n)
    }

    /// A tensor over `storage`; its count must equal the product of `shape`.
    public init(shape: [Int], storage: [Float]) throws {
        let n = try Tensor.elementCount(shape, operation: "Tensor(shape:storage:)")
        guard n == storage.count else {
            throw EngineError.shapeMismatch(
                operation: "Tensor(shape:storage:)",
                detail: "shape \(shape) needs \(n) elements, got \(storage.count)")
        }
        self.shape = shape
        self.storage = storage
    }

    /// Internal initialiser for kernels that have already checked the count.
    init(uncheckedShape shape: [Int], storage: [Float]) {
        self.shape = shape
        self.storage = storage
    }

    /// Internal: a tensor whose every element the caller will overwrite (a GEMM output with
    /// β = 0, an attention output): skips zero-filling megabytes per layer.
    init(uninitialized shape: [Int]) {
        let n = shape.reduce(1, *)
        self.shape = shape
        self.storage = [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
    }

    /// Gives `self` the shape `newShape`, keeping its storage when the element count is the
    /// same (buffer reuse between sampler steps), allocating otherwise. Contents are undefined.
    mutating func reuse(as newShape: [Int]) {
        let n = newShape.reduce(1, *)
        if storage.count == n {
            shape = newShape
        } else {
            self = Tensor(uninitialized: newShape)
        }
    }

    /// Internal: an uninitialised-looking (zeroed) tensor whose shape kernels have validated.
    init(uncheckedZeros shape: [Int]) {
        self.shape = shape
        self.storage = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// The same elements under another shape with the same element count (no copy).
    /// One axis may be `-1`, inferred from the others.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        guard unknown.count <= 1 else {
            throw EngineError.invalidArgument(operation: "reshape", detail: "more than one -1 in \(newShape)")
        }
        if let i = unknown.first {
            let known = newShape.enumerated().filter { $0.offset != i }.map(\.element)
            let p = try Tensor.elementCount(known, operation: "reshape")
            guard p > 0, count % p == 0 else {
                throw EngineError.shapeMismatch(operation: "reshape", detail: "\(shape) cannot become \(newShape)")
            }
            resolved[i] = count / p
        }
        guard try Tensor.elementCount(resolved, operation: "reshape") == count else {
            throw EngineError.shapeMismatch(operation: "reshape", detail: "\(shape) cannot become \(newShape)")
        }
        return Tensor(uncheckedShape: resolved, storage: storage)
    }

    /// Replaces the shape in place (same element count), keeping the storage.
    public mutating func reshape(_ newShape: [Int]) throws {
        self = try reshaped(newShape)
    }

    /// The sub-tensor at `index` along the first axis (a copy of a contiguous block).
    public func slice(first index: Int) throws -> Tensor {
        guard rank >= 1, index >= 0, index < shape[0] else {
            throw EngineError.invalidArgument(operation: "slice", detail: "index \(index) outside \(shape)")
        }
        let inner = Array(shape.dropFirst())
        let n = inner.reduce(1, *)
        return Tensor(uncheckedShape: inner, storage: Array(storage[index * n ..< (index + 1) * n]))
    }

    /// Rows `range` along the first axis, as a new tensor.
    public func slice(first range: Range<Int>) throws -> Tensor {
        guard rank >= 1, range.lowerBound >= 0, range.upperBound <= shape[0] else {
            throw EngineError.invalidArgument(operation: "slice", detail: "range \(range) outside \(shape)")
        }
        var outShape = shape
        outShape[0] = range.count
        let n = shape.dropFirst().reduce(1, *)
        return Tensor(uncheckedShape: outShape,
                      storage: Array(storage[range.lowerBound * n ..< range.upperBound * n]))
    }

    /// Stacks tensors of one shape along a new first axis.
    public static func stack(_ parts: [Tensor]) throws -> Tensor {
        guard let first = parts.first else {
            throw EngineError.invalidArgument(operation: "stack", detail: "no tensors")
        }
        var storage: [Float] = []
        storage.reserveCapacity(first.count * parts.count)
        for p in parts {
            guard p.shape == first.shape else {
                throw EngineError.shapeMismatch(operation: "stack", detail: "\(p.shape) vs \(first.shape)")
            }
            storage.append(contentsOf: p.storage)
        }
        return Tensor(uncheckedShape: [parts.count] + first.shape, storage: storage)
    }

    /// Concatenates along the first axis; the other axes must agree.
    public static func concatenate(_ parts: [Tensor]) throws -> Tensor {
        guard let first = parts.first else {
            throw EngineError.invalidArgument(operation: "concatenate", detail: "no tensors")
        }
        var rows = 0
        var storage: [Float] = []
        for p in parts {
            guard p.rank == first.rank, p.rank >= 1, Array(p.shape.dropFirst()) == Array(first.shape.dropFirst()) else {
                throw EngineError.shapeMismatch(operation: "concatenate", detail: "\(p.shape) vs \(first.shape)")
            }
            rows += p.shape[0]
            storage.append(contentsOf: p.storage)
        }
        return Tensor(uncheckedShape: [rows] + Array(first.shape.dropFirst()), storage: storage)
    }

    /// The largest absolute element-wise difference to `other` (same shape required).
    public func maxAbsDifference(_ other: Tensor) throws -> Float {
        guard shape == other.shape else {
            throw EngineError.shapeMismatch(operation: "maxAbsDifference", detail: "\(shape) vs \(other.shape)")
        }
        var m: Float = 0
        for i in 0 ..< count { m = max(m, abs(storage[i] - other.storage[i])) }
        return m
    }

    static func elementCount(_ shape: [Int], operation: String) throws -> Int {
        var n = 1
        for d in shape {
            guard d >= 0 else {
                throw EngineError.invalidArgument(operation: operation, detail: "negative extent in \(shape)")
            }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw EngineError.invalidArgument(operation: operation, detail: "shape \(shape) overflows")
            }
            n = p
        }
        return n
    }
}
