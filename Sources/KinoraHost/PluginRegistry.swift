/// Every plugin found on a search path, and every library refused.
///
/// Loading never stops at a bad library: each refusal is recorded with the
/// file and the reason, and the search goes on.
public struct PluginRegistry: Sendable {
    public let searchPath: PluginSearchPath
    public let modelPath: ModelSearchPath
    public private(set) var plugins: [LoadedPlugin] = []
    public private(set) var refusals: [PluginRefusal] = []

    public init(searchPath: PluginSearchPath, modelPath: ModelSearchPath = ModelSearchPath(directories: [])) {
        self.searchPath = searchPath
        self.modelPath = modelPath
        for file in searchPath.candidateFiles() {
            do throws(PluginLoadError) {
                let plugin = try PluginLoader.load(file: file, modelDirectories: modelPath.directories)
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
