/// Every plugin found on a search path, and every library refused.
///
/// Loading never stops at a bad library: each refusal is recorded with the
/// file and the reason, and the search goes on.
public struct PluginRegistry: Sendable {
    public let searchPath: PluginSearchPath
    public private(set) var plugins: [LoadedPlugin] = []
    public private(set) var refusals: [PluginRefusal] = []

    public init(searchPath: PluginSearchPath) {
        self.searchPath = searchPath
        for file in searchPath.candidateFiles() {
            do throws(PluginLoadError) {
                let plugin = try PluginLoader.load(file: file)
                if let first = plugins.first(where: { $0.id == plugin.id }) {
                    throw .duplicateID(id: plugin.id, firstFile: first.file)
                }
                if let first = plugins.first(where: { $0.manifest.elementName == plugin.manifest.elementName }) {
                    throw .duplicateElementName(name: plugin.manifest.elementName, firstFile: first.file)
                }
                plugins.append(plugin)
            } catch {
                refusals.append(PluginRefusal(file: file, reason: error))
            }
        }
    }

    public func plugin(id: String) -> LoadedPlugin? {
        plugins.first { $0.id == id }
    }
}
