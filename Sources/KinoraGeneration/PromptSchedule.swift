import Foundation

/// Time-coded prompts for multi-shot videos: `"0=a red circle moving left; 4=a blue square
/// moving up"` — each entry starts at its time in seconds (in the order given, strictly
/// increasing) and lasts until the next. A chunk takes the prompt in force at its first new
/// frame, so shots change at chunk borders, continuing the previous frames without a cut.
public struct PromptSchedule: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var start: Double
        public var prompt: String
    }

    public let entries: [Entry]

    public static let parameterName = "prompt-schedule"

    /// Parses the text form; an empty text is an empty schedule.
    public init(parsing text: String) throws(GenerationError) {
        var entries: [Entry] = []
        for part in text.split(separator: ";") {
            let item = part.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            guard let equals = item.firstIndex(of: "="), let start = Double(item[..<equals].trimmingCharacters(in: .whitespaces)),
                start.isFinite, start >= 0
            else {
                throw .invalidParameter(name: Self.parameterName, reason: "'\(item)' is not SECONDS=PROMPT (e.g. 0=a red circle; 4=a blue square)")
            }
            if let last = entries.last, start <= last.start {
                throw .invalidParameter(name: Self.parameterName, reason: "times must increase: \(start) after \(last.start)")
            }
            entries.append(Entry(start: start, prompt: item[item.index(after: equals)...].trimmingCharacters(in: .whitespaces)))
        }
        self.entries = entries
    }

    /// The prompt in force at `seconds`, or nil before the first entry (or with no entries).
    public func prompt(at seconds: Double) -> String? {
        entries.last { $0.start <= seconds + 1e-9 }?.prompt
    }
}
