/// The element types of the safetensors format. Only the float types can be read as
/// float32; the others are known so that a file holding them still validates.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// Whether `SafetensorsFile.tensor` converts it to float32.
    public var isFloat: Bool { self == .f32 || self == .f16 || self == .bf16 }
}

enum HalfPrecision {
    /// IEEE binary16 bits to float32, including subnormals, infinities and NaN.
    @inline(__always)
    static func float(fromHalf h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1f)
        let mantissa = UInt32(h & 0x3ff)
        if exponent == 0 {
            // Subnormal or zero: mantissa · 2^-24.
            let v = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -v : v
        }
        if exponent == 31 {
            return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// bfloat16 bits are the top half of a float32.
    @inline(__always)
    static func float(fromBFloat b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }
}
