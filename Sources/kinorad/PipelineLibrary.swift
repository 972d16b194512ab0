import KinoraHost

#if canImport(Glibc)
    import Glibc
#endif

/// The gst-launch descriptions in `Pipelines/` (installed in
/// `<prefix>/share/kinora/pipelines`), and how a job's values go into one.
struct PipelineLibrary: Sendable {
    let directory: String

    enum Failure: Error, CustomStringConvertible {
        case notFound(searched: [String])
        case unreadable(String)

        var description: String {
            switch self {
            case .notFound(let searched): "no pipeline folder found (looked in \(searched.joined(separator: ", ")))"
            case .unreadable(let file): "cannot read pipeline file \(file)"
            }
        }
    }

    /// Finds the folder: an explicit one, else installed next to the binary, else the source tree.
    static func locate(explicit: String?, binaryDirectory: String) throws(Failure) -> PipelineLibrary {
        var candidates = explicit.map { [$0] } ?? [binaryDirectory + "/../share/kinora/pipelines"]
        // Run from the build folder (<tree>/.build/...): the source tree's Pipelines/.
        if explicit == nil, let build = binaryDirectory.firstRange(of: "/.build/") {
            candidates.append(String(binaryDirectory[..<build.lowerBound]) + "/Pipelines")
        }
        for candidate in candidates where access(candidate + "/generate-mp4.pipeline", R_OK) == 0 {
            return PipelineLibrary(directory: PluginSearchPath.normalise(candidate))
        }
        throw .notFound(searched: candidates)
    }

    /// The description named `name`, comments removed, placeholders replaced.
    /// Only integers and element names (checked by the host) are substituted.
    func description(named name: String, substitutions: [String: String]) throws(Failure) -> String {
        let file = directory + "/" + name + ".pipeline"
        guard let text = Self.read(file) else { throw .unreadable(file) }
        var result = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingPrefix(while: { $0 == " " }).hasPrefix("#") }
            .joined(separator: " ")
        for (key, value) in substitutions {
            result = result.replacing("{\(key)}", with: value)
        }
        return result
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Substring {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring {
        self[(firstIndex { !predicate($0) } ?? endIndex)...]
    }
}
