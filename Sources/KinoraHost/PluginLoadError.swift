/// Why a library was refused. The host keeps loading the others.
public enum PluginLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `dlopen` failed: not a shared library, corrupt, or missing dependencies.
    case notLoadable(reason: String)
    /// The library does not export the entry symbol.
    case missingEntrySymbol(String)
    /// The entry symbol returned NULL.
    case nullDescriptor
    case wrongABIVersion(found: UInt32, expected: UInt32)
    case malformedDescriptor(String)
    case malformedSchema(String)
    case duplicateID(id: String, firstFile: String)
    case duplicateElementName(name: String, firstFile: String)

    public var description: String {
        switch self {
        case .notLoadable(let reason):
            "cannot be loaded as a shared library: \(reason)"
        case .missingEntrySymbol(let symbol):
            "does not export the entry symbol '\(symbol)'; is it a Kinora plugin?"
        case .nullDescriptor:
            "its entry symbol returned no descriptor"
        case .wrongABIVersion(let found, let expected):
            "was built for plugin ABI version \(found), but this host speaks version \(expected); rebuild it against this SDK"
        case .malformedDescriptor(let problem):
            "has a malformed descriptor: \(problem)"
        case .malformedSchema(let problem):
            "has a malformed parameter schema: \(problem)"
        case .duplicateID(let id, let firstFile):
            "declares plugin id '\(id)', already loaded from \(firstFile)"
        case .duplicateElementName(let name, let firstFile):
            "declares element name '\(name)', already used by \(firstFile)"
        }
    }
}

/// A library the host did not load, and why: shown to users as
/// `<file>: <reason>`.
public struct PluginRefusal: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let reason: PluginLoadError

    public var description: String { "\(file) \(reason)" }
}
