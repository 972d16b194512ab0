import XCTest

@testable import KinoraHost

/// Where the host looks for plugins and models, from a binary's folder.
final class SearchPathTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/kinora-search-XXXXXX".utf8CString)
        root = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) } ?? ""
        }
        XCTAssertFalse(root.isEmpty)
        for folder in ["bin", "libexec", "lib/gstreamer-1.0", "lib/kinora/plugins", "share/kinora/models"] {
            XCTAssertEqual(mkdirs(root + "/" + folder), 0, folder)
        }
    }

    override func tearDown() {
        _ = system("rm -rf '\(root)'")
    }

    private func mkdirs(_ path: String) -> Int32 {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            _ = mkdir(current, 0o755)
        }
        return PluginSearchPath.isDirectory(path) ? 0 : -1
    }

    func testInstalledTreeFromBinAndFromTheGStreamerFolder() {
        for binary in ["bin", "libexec", "lib/gstreamer-1.0"] {
            let plugins = PluginSearchPath.standard(binaryDirectory: root + "/" + binary, environment: [:])
            XCTAssertTrue(plugins.directories.contains(root + "/lib/kinora/plugins"), "\(binary): \(plugins.directories)")
            let models = ModelSearchPath.standard(binaryDirectory: root + "/" + binary, environment: [:])
            XCTAssertEqual(models.directories, [root + "/share/kinora/models"], binary)
        }
    }

    func testEnvironmentFoldersComeFirstForModelsAndLastForPlugins() {
        let environment = ["KINORA_PLUGIN_PATH": "/extra/plugins:/more", "KINORA_MODEL_PATH": "/my/models"]
        let plugins = PluginSearchPath.standard(binaryDirectory: root + "/bin", environment: environment)
        XCTAssertEqual(Array(plugins.directories.suffix(2)), ["/extra/plugins", "/more"])
        XCTAssertEqual(plugins.entries.first?.namePrefix, "libkinora-", "the binary's own folder only for built plugins")
        let models = ModelSearchPath.standard(binaryDirectory: root + "/bin", environment: environment)
        XCTAssertEqual(models.directories.first, "/my/models")
    }

    func testABuildFolderAddsTheSourceTreesModels() {
        let models = ModelSearchPath.standard(binaryDirectory: "/src/kinora/.build/x86_64-unknown-linux-gnu/debug", environment: [:])
        XCTAssertEqual(models.directories, ["/src/kinora/Models"])
    }
}
