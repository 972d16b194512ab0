#if canImport(Glibc)
    import Glibc
#endif

/// Where the host looks for plugin libraries, in order.
///
/// 1. The build folder: the folder of the running binary (or of
///    libgstkinora.so, which GStreamer tells the bridge), for libraries named `libkinora-*.so`.
/// 2. The installed folder `<prefix>/lib/kinora/plugins`, found relative to
///    the same binary (`bin/`, `libexec/` or `lib/gstreamer-1.0/`).
/// 3. Every folder in `$KINORA_PLUGIN_PATH` (colon-separated).
///
/// When two libraries declare the same plugin id, the first one found wins
/// and the other is refused.
public struct PluginSearchPath: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let directory: String
        /// Only files whose names start with this are considered.
        public let namePrefix: String

        public init(directory: String, namePrefix: String) {
            self.directory = directory
            self.namePrefix = namePrefix
        }
    }

    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The environment variable naming extra plugin folders.
    public static let environmentVariable = "KINORA_PLUGIN_PATH"
    /// The installed plugin folder, relative to the prefix.
    public static let installedRelativePath = "lib/kinora/plugins"

    /// The standard search path seen from a binary in `binaryDirectory`.
    public static func standard(binaryDirectory: String, environment: [String: String]) -> PluginSearchPath {
        var entries = [Entry(directory: binaryDirectory, namePrefix: "libkinora-")]
        let parent = normalise(binaryDirectory + "/..")
        // bin/ or libexec/ → <prefix>/lib/kinora/plugins; lib/gstreamer-1.0/ → <prefix>/lib/kinora/plugins
        let candidates = [parent + "/" + installedRelativePath, parent + "/kinora/plugins"]
        for candidate in candidates where isDirectory(candidate) && candidate != binaryDirectory {
            entries.append(Entry(directory: candidate, namePrefix: ""))
        }
        for directory in (environment[environmentVariable] ?? "").split(separator: ":") where !directory.isEmpty {
            entries.append(Entry(directory: String(directory), namePrefix: ""))
        }
        var seen = Set<String>()
        return PluginSearchPath(entries: entries.filter { seen.insert($0.directory).inserted })
    }

    /// The plugin folders to watch for changes (GStreamer rescans on change).
    public var directories: [String] { entries.map(\.directory) }

    /// Candidate files, in search order, sorted by name within a folder.
    public func candidateFiles() -> [String] {
        entries.flatMap { entry in
            Self.listDirectory(entry.directory)
                .filter { $0.hasPrefix(entry.namePrefix) && $0.hasSuffix(".so") }
                .sorted()
                .map { entry.directory + "/" + $0 }
        }
    }

    private static func listDirectory(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Resolves `..` and symlinks when the path exists; keeps it as given otherwise.
    public static func normalise(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// The folder holding the running executable.
public func directoryOfExecutable() -> String {
    directory(of: PluginSearchPath.normalise("/proc/self/exe"))
}

/// The folder part of a file path ("." for a bare name).
public func directory(of file: String) -> String {
    let path = PluginSearchPath.normalise(file)
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return String(path[..<slash])
}

/// The process environment as a dictionary (for the search path).
public func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var cursor = environ
    while let entry = cursor.pointee {
        let text = String(cString: entry)
        if let equals = text.firstIndex(of: "=") {
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        cursor += 1
    }
    return result
}
