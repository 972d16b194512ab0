import Foundation

/// A memory-mapped safetensors file whose header has been validated in full on opening.
///
/// Layout: an 8-byte little-endian header length N, N bytes of JSON mapping tensor names
/// to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the data section),
/// then the data section. Opening checks that the header fits in the file and parses; that
/// every tensor's dtype is known, its byte count equals dtype size × element count, its
/// offsets lie inside the data section, and that the tensors tile the data section without
/// overlap or gaps (as the format's reference implementation requires).
public final class SafetensorsFile: Sendable {
    /// One tensor's header entry.
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        public let dtype: SafetensorsDType
        public let shape: [Int]
        /// Byte range inside the data section.
        public let range: Range<Int>
    }

    /// The path the file was opened from (used in every error).
    public let path: String
    /// Header entries by tensor name.
    public let tensors: [String: TensorInfo]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]
    private let mapping: MappedFile
    private let dataStart: Int

    /// The largest header accepted (the reference implementation's limit).
    static let maximumHeaderLength = 100_000_000

    /// Maps and validates the file at `path`.
    public init(path: String) throws {
        self.path = path
        mapping = try MappedFile(path: path)
        guard mapping.size >= 8, let base = mapping.base else {
            throw SafetensorsError.truncated(file: path, detail: "\(mapping.size) bytes, fewer than the 8-byte header length")
        }
        let headerLength = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(SafetensorsFile.maximumHeaderLength) else {
            throw SafetensorsError.invalidHeader(file: path, detail: "header length \(headerLength) exceeds the limit")
        }
        let n = Int(headerLength)
        guard 8 + n <= mapping.size else {
            throw SafetensorsError.truncated(file: path, detail: "header of \(n) bytes, but the file has \(mapping.size - 8) after the length")
        }
        dataStart = 8 + n
        let json = Data(bytes: base + 8, count: n)
        let (tensors, metadata) = try SafetensorsFile.parseHeader(json, file: path, dataLength: mapping.size - dataStart)
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Tensor names, sorted.
    public var names: [String] { tensors.keys.sorted() }

    /// The named tensor converted to float32 (F32, F16 or BF16 in the file).
    public func tensor(_ name: String) throws -> Tensor {
        guard let info = tensors[name] else {
            throw WeightError.missingTensor(name: name, searched: [path])
        }
        guard info.dtype.isFloat else {
            throw SafetensorsError.unsupportedDType(file: path, tensor: name, dtype: info.dtype.rawValue)
        }
        let count = info.range.count / info.dtype.size
        var values = [Float](repeating: 0, count: count)
        guard let base = mapping.base, count > 0 else {
            return Tensor(uncheckedShape: info.shape, storage: values)
        }
        let src = base + dataStart + info.range.lowerBound
        values.withUnsafeMutableBufferPointer { dst in
            switch info.dtype {
            case .f32:
                // The data section need not be 4-byte aligned: copy bytes.
                UnsafeMutableRawPointer(dst.baseAddress!).copyMemory(from: src, byteCount: count * 4)
                for i in 0 ..< count { dst[i] = Float(bitPattern: UInt32(littleEndian: dst[i].bitPattern)) }
            case .f16:
                for i in 0 ..< count {
                    dst[i] = HalfPrecision.float(fromHalf: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            case .bf16:
                for i in 0 ..< count {
                    dst[i] = HalfPrecision.float(fromBFloat: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            default:
                break
            }
        }
        return Tensor(uncheckedShape: info.shape, storage: values)
    }

    /// The named I32 tensor's values (for integer fixtures such as token ids).
    public func int32Values(_ name: String) throws -> [Int32] {
        guard let info = tensors[name] else {
            throw WeightError.missingTensor(name: name, searched: [path])
        }
        guard info.dtype == .i32 else {
            throw SafetensorsError.unsupportedDType(file: path, tensor: name, dtype: info.dtype.rawValue)
        }
        let count = info.range.count / 4
        guard let base = mapping.base, count > 0 else { return [] }
        let src = base + dataStart + info.range.lowerBound
        return (0 ..< count).map { Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
    }

    // MARK: - Header validation

    private struct RawEntry: Decodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    private static func parseHeader(_ json: Data, file: String, dataLength: Int) throws
        -> ([String: TensorInfo], [String: String]) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw SafetensorsError.invalidHeader(file: file, detail: "not JSON (\(error.localizedDescription))")
        }
        guard let dict = object as? [String: Any] else {
            throw SafetensorsError.invalidHeader(file: file, detail: "not a JSON object")
        }
        var metadata: [String: String] = [:]
        var infos: [String: TensorInfo] = [:]
        for (name, value) in dict {
            if name == "__metadata__" {
                guard let m = value as? [String: String] else {
                    throw SafetensorsError.invalidHeader(file: file, detail: "__metadata__ must map strings to strings")
                }
                metadata = m
                continue
            }
            let raw: RawEntry
            do {
                let entryJSON = try JSONSerialization.data(withJSONObject: value)
                raw = try JSONDecoder().decode(RawEntry.self, from: entryJSON)
            } catch {
                throw SafetensorsError.invalidTensor(file: file, tensor: name, detail: "entry must be {dtype, shape, data_offsets} with integer shape and offsets")
            }
            guard let dtype = SafetensorsDType(rawValue: raw.dtype) else {
                throw SafetensorsError.invalidTensor(file: file, tensor: name, detail: "unknown dtype '\(raw.dtype)'")
            }
            guard raw.data_offsets.count == 2 else {
                throw SafetensorsError.invalidTensor(file: file, tensor: name, detail: "data_offsets must have two entries")
            }
            let (begin, end) = (raw.data_offsets[0], raw.data_offsets[1])
            guard begin >= 0, begin <= end else {
                throw SafetensorsError.invalidTensor(file: file, tensor: name, detail: "data_offsets [\(begin), \(end)] are not a range")
            }
            guard end <= dataLength else {
                throw SafetensorsError.truncated(file: file, detail: "tensor '\(name)' ends at byte \(end) of a \(dataLength)-byte data section")
            }
            let elements: Int
            do {
                elements = try Tensor.elementCount(raw.shape, operation: "safetensors")
            } catch {
                throw SafetensorsError.invalidTensor(file: file, tensor: name, detail: "invalid shape \(raw.shape)")
            }
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, bytes == end - begin else {
                throw SafetensorsError.invalidTensor(file: file, tensor: name,
                    detail: "\(dtype.rawValue) \(raw.shape) needs \(elements) × \(dtype.size) bytes, offsets give \(end - begin)")
            }
            infos[name] = TensorInfo(name: name, dtype: dtype, shape: raw.shape, range: begin ..< end)
        }
        // The tensors must tile the data section: sorted by offset, each starts where the last ended.
        var cursor = 0
        for info in infos.values.sorted(by: { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }) {
            guard info.range.lowerBound == cursor else {
                let what = info.range.lowerBound < cursor ? "overlaps the previous tensor" : "leaves a gap before it"
                throw SafetensorsError.invalidTensor(file: file, tensor: info.name, detail: "data at byte \(info.range.lowerBound) \(what) (expected \(cursor))")
            }
            cursor = info.range.upperBound
        }
        guard cursor == dataLength else {
            throw SafetensorsError.invalidHeader(file: file, detail: "tensors cover \(cursor) of \(dataLength) data bytes")
        }
        return (infos, metadata)
    }
}
