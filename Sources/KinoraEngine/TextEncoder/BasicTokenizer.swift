import Foundation

/// BERT's "basic" tokenization, as Hugging Face's `BertNormalizer` + `BertPreTokenizer` do it:
/// drop NUL, U+FFFD and control characters; map whitespace to spaces; put spaces around CJK
/// ideographs; strip accents (NFD, drop non-spacing marks) and lower-case; then split on
/// whitespace and make every punctuation character a word of its own.
public struct BasicTokenizer: Sendable {
    public var lowercase: Bool
    public var stripAccents: Bool

    public init(lowercase: Bool = true, stripAccents: Bool = true) {
        self.lowercase = lowercase
        self.stripAccents = stripAccents
    }

    /// The words of `text`.
    public func words(_ text: String) -> [String] {
        var normalized = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s.value == 0 || s.value == 0xFFFD || BasicTokenizer.isControl(s) { continue }
            if BasicTokenizer.isWhitespace(s) {
                normalized.append(" ")
            } else if BasicTokenizer.isCJK(s) {
                normalized.append(" "); normalized.append(s); normalized.append(" ")
            } else {
                normalized.append(s)
            }
        }
        var string = String(normalized)
        if stripAccents {
            let decomposed = string.decomposedStringWithCanonicalMapping.unicodeScalars
            string = String(String.UnicodeScalarView(decomposed.filter { $0.properties.generalCategory != .nonspacingMark }))
        }
        if lowercase { string = string.lowercased() }

        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() }
        }
        for s in string.unicodeScalars {
            if BasicTokenizer.isWhitespace(s) {
                flush()
            } else if BasicTokenizer.isPunctuation(s) {
                flush()
                words.append(String(s))
            } else {
                current.append(s)
            }
        }
        flush()
        return words
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case " ", "\t", "\n", "\r": return true
        default: return s.properties.generalCategory == .spaceSeparator
        }
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "\t", "\n", "\r": return false
        default:
            switch s.properties.generalCategory {
            case .control, .format, .privateUse, .surrogate, .unassigned: return true
            default: return false
            }
        }
    }

    /// ASCII non-alphanumeric printables count as punctuation ("$", "^", "`"), as in BERT.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33 ... 47).contains(v) || (58 ... 64).contains(v) || (91 ... 96).contains(v) || (123 ... 126).contains(v) {
            return true
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00 ... 0x9FFF, 0x3400 ... 0x4DBF, 0x20000 ... 0x2A6DF, 0x2A700 ... 0x2B73F,
             0x2B740 ... 0x2B81F, 0x2B820 ... 0x2CEAF, 0xF900 ... 0xFAFF, 0x2F800 ... 0x2FA1F:
            return true
        default:
            return false
        }
    }
}
