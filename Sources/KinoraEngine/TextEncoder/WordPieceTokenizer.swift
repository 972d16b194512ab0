import Foundation

/// The ids a tokenizer gives one text: `[CLS] pieces… [SEP]`, optionally padded.
public struct TokenizedText: Sendable, Equatable {
    /// Token ids, including `[CLS]`, `[SEP]` and any `[PAD]`.
    public var ids: [Int32]
    /// 1 for a real token, 0 for padding.
    public var attentionMask: [Int32]
    /// The number of real tokens (`attentionMask`'s sum).
    public var length: Int { attentionMask.reduce(0) { $0 + Int($1) } }
}

/// BERT's WordPiece tokenizer over a `vocab.txt` (one token a line, id = line number):
/// basic tokenization, then greedy longest-match-first pieces with `##` continuations, a word
/// that cannot be covered (or is longer than 100 characters) becoming `[UNK]`.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: [String: Int32]
    public let basic: BasicTokenizer
    public let unknownID: Int32, classID: Int32, separatorID: Int32, paddingID: Int32
    /// Words longer than this (in characters) are `[UNK]`, as in Hugging Face's tokenizer.
    public var maximumCharactersPerWord = 100

    /// Reads `vocab.txt`.
    public init(vocabularyFile path: String, basic: BasicTokenizer = BasicTokenizer()) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EngineError.invalidConfiguration(file: path, detail: "cannot read the vocabulary")
        }
        var vocab: [String: Int32] = [:]
        var id: Int32 = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if !token.isEmpty, vocab[token] == nil { vocab[token] = id }
            id += 1
        }
        try self.init(vocabulary: vocab, basic: basic, source: path)
    }

    /// A tokenizer over an in-memory vocabulary, which must hold the four special tokens.
    public init(vocabulary: [String: Int32], basic: BasicTokenizer = BasicTokenizer(), source: String = "vocabulary") throws {
        func special(_ t: String) throws -> Int32 {
            guard let id = vocabulary[t] else {
                throw EngineError.invalidConfiguration(file: source, detail: "no \(t) token")
            }
            return id
        }
        self.vocabulary = vocabulary
        self.basic = basic
        unknownID = try special("[UNK]")
        classID = try special("[CLS]")
        separatorID = try special("[SEP]")
        paddingID = try special("[PAD]")
    }

    /// The WordPiece ids of `text` without special tokens.
    public func pieces(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for word in basic.words(text) {
            let chars = Array(word.unicodeScalars)
            if chars.count > maximumCharactersPerWord {
                ids.append(unknownID)
                continue
            }
            var wordIDs: [Int32] = []
            var start = 0
            var bad = false
            while start < chars.count {
                var end = chars.count
                var found: Int32?
                while start < end {
                    var piece = String(String.UnicodeScalarView(chars[start ..< end]))
                    if start > 0 { piece = "##" + piece }
                    if let id = vocabulary[piece] { found = id; break }
                    end -= 1
                }
                guard let id = found else { bad = true; break }
                wordIDs.append(id)
                start = end
            }
            ids.append(contentsOf: bad ? [unknownID] : wordIDs)
        }
        return ids
    }

    /// `[CLS] pieces [SEP]`, the pieces truncated so that the whole fits `maximumLength`;
    /// padded with `[PAD]` to `maximumLength` when `pad` is set.
    public func encode(_ text: String, maximumLength: Int = 256, pad: Bool = false) throws -> TokenizedText {
        guard maximumLength >= 2 else {
            throw EngineError.invalidArgument(operation: "WordPieceTokenizer.encode", detail: "maximum length \(maximumLength) < 2")
        }
        let body = pieces(text).prefix(maximumLength - 2)
        var ids = [classID] + body + [separatorID]
        var mask = [Int32](repeating: 1, count: ids.count)
        if pad, ids.count < maximumLength {
            let n = maximumLength - ids.count
            ids += [Int32](repeating: paddingID, count: n)
            mask += [Int32](repeating: 0, count: n)
        }
        return TokenizedText(ids: ids, attentionMask: mask)
    }
}
