// swift-tools-version:6.0
import PackageDescription

// Installed binaries find the Kinora libraries relative to themselves, so an
// installed tree never points back at the build folder. The Swift runtime is
// found through the toolchain's own rpath, else in the copy `make install`
// puts in <prefix>/lib/kinora/swift-runtime.
func rpath(_ relatives: String...) -> LinkerSetting {
    .unsafeFlags(relatives.flatMap { ["-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/\($0)"] })
}

/// A built-in plugin: a target under Plugins/, built as its own library
/// (product `kinora-<id>` → libkinora-<id>.so, installed in lib/kinora/plugins).
func builtInPlugin(_ name: String, folder: String, dependencies: [Target.Dependency] = []) -> Target {
    .target(
        name: name, dependencies: ["KinoraPluginSDK"] + dependencies, path: "Plugins/\(folder)",
        linkerSettings: [rpath("../..", "../swift-runtime")])
}

let package = Package(
    name: "Kinora",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kinorad", targets: ["kinorad"]),
        .executable(name: "kinora", targets: ["kinora"]),
        // The SDK third-party plugins link against (installed with its module and header).
        .library(name: "KinoraPluginSDK", type: .dynamic, targets: ["KinoraPluginSDK"]),
        // libgstkinora.so, the GStreamer plugin.
        .library(name: "gstkinora", type: .dynamic, targets: ["GstKinora"]),
        // Built-in Kinora plugins: one library each, named libkinora-<id>.so.
        .library(name: "kinora-test-scene", type: .dynamic, targets: ["KinoraTestScene"]),
        .library(name: "kinora-test-invert", type: .dynamic, targets: ["KinoraTestInvert"]),
        .library(name: "kinora-test-scroll", type: .dynamic, targets: ["KinoraTestScroll"]),
        .library(name: "kinora-text-to-video", type: .dynamic, targets: ["KinoraTextToVideo"]),
        .library(name: "kinora-image-animation", type: .dynamic, targets: ["KinoraImageAnimation"]),
        .library(name: "kinora-clip-extension", type: .dynamic, targets: ["KinoraClipExtension"]),
        .library(name: "kinora-style-transfer", type: .dynamic, targets: ["KinoraStyleTransfer"]),
        // The diffusion engine, and its benchmark against PyTorch (make bench).
        .library(name: "KinoraEngine", targets: ["KinoraEngine"]),
        .executable(name: "kinora-bench-engine", targets: ["kinora-bench-engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // Thin C shims over system libraries (pkg-config).
        .systemLibrary(name: "CGStreamer", pkgConfig: "gstreamer-1.0", providers: [.apt(["libgstreamer1.0-dev"])]),
        .systemLibrary(
            name: "CGStreamerBase", pkgConfig: "gstreamer-base-1.0", providers: [.apt(["libgstreamer1.0-dev"])]),
        .systemLibrary(
            name: "CGStreamerVideo", pkgConfig: "gstreamer-video-1.0",
            providers: [.apt(["libgstreamer-plugins-base1.0-dev"])]),
        .systemLibrary(name: "CDBus", pkgConfig: "dbus-1", providers: [.apt(["libdbus-1-dev"])]),

        // The plugin ABI: one C header, the contract between host and plugins.
        .target(name: "CKinoraPluginABI"),
        // What a plugin author imports.
        .target(name: "KinoraPluginSDK", dependencies: ["CKinoraPluginABI"]),
        // Finds, loads and checks plugin libraries.
        .target(name: "KinoraHost", dependencies: ["KinoraPluginSDK", "CKinoraPluginABI"]),
        // One GStreamer element type per loaded plugin.
        .target(
            name: "KinoraGStreamer",
            dependencies: ["KinoraHost", "KinoraPluginSDK", "CGStreamer", "CGStreamerBase", "CGStreamerVideo"]),
        .target(
            name: "GstKinora", dependencies: ["KinoraGStreamer", "CGStreamer"],
            linkerSettings: [rpath("..", "../kinora/swift-runtime")]),
        // libdbus in Swift: messages, the poll loop, errors.
        .target(name: "KinoraDBus", dependencies: ["CDBus"]),
        // Kinora's D-Bus API (names, errors, schema on the wire), shared by daemon and CLI.
        .target(name: "KinoraProtocol", dependencies: ["KinoraDBus", "KinoraPluginSDK"]),
        .executableTarget(
            name: "kinorad",
            dependencies: [
                "KinoraGStreamer", "KinoraHost", "KinoraDBus", "KinoraProtocol", "KinoraPluginSDK", "CGStreamer",
                "CGStreamerVideo", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [rpath("../lib", "../lib/kinora/swift-runtime")]),
        .executableTarget(
            name: "kinora",
            dependencies: [
                "KinoraDBus", "KinoraProtocol", "KinoraPluginSDK",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [rpath("../lib", "../lib/kinora/swift-runtime")]),

        // The diffusion engine: it knows nothing of GStreamer, D-Bus or shapes, and the
        // diffusion plugins depend on it. Debian's libopenblas-dev installs openblas.pc.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Optimised even in debug builds: the numeric loops are 10-50x slower at -Onone,
        // which would make every test or demo that runs the model crawl.
        .target(name: "KinoraEngine", dependencies: ["COpenBLAS"], swiftSettings: [.unsafeFlags(["-O"])]),
        .executableTarget(name: "kinora-bench-engine", dependencies: ["KinoraEngine", "COpenBLAS"]),

        // Built-in plugins: the examples of each element kind (no model).
        builtInPlugin("KinoraTestScene", folder: "TestScene"),
        builtInPlugin("KinoraTestInvert", folder: "TestInvert"),
        builtInPlugin("KinoraTestScroll", folder: "TestScroll"),

        // The generation core the four diffusion plugins share (chunks, model cache, frames),
        // optimised like the engine: its per-pixel loops crawl at -Onone.
        .target(
            name: "KinoraGeneration", dependencies: ["KinoraEngine", "KinoraPluginSDK"],
            swiftSettings: [.unsafeFlags(["-O"])]),
        builtInPlugin("KinoraTextToVideo", folder: "TextToVideo", dependencies: ["KinoraGeneration"]),
        builtInPlugin("KinoraImageAnimation", folder: "ImageAnimation", dependencies: ["KinoraGeneration"]),
        builtInPlugin("KinoraClipExtension", folder: "ClipExtension", dependencies: ["KinoraGeneration"]),
        builtInPlugin("KinoraStyleTransfer", folder: "StyleTransfer", dependencies: ["KinoraGeneration"]),

        .testTarget(name: "KinoraPluginSDKTests", dependencies: ["KinoraPluginSDK", "CKinoraPluginABI"]),
        .testTarget(name: "KinoraHostTests", dependencies: ["KinoraHost", "KinoraPluginSDK", "CKinoraPluginABI"]),
        .testTarget(name: "KinoraGStreamerTests", dependencies: ["KinoraGStreamer", "KinoraHost", "CGStreamer"]),
        .testTarget(name: "KinoraDBusTests", dependencies: ["KinoraDBus", "KinoraProtocol", "KinoraPluginSDK"]),
        // The daemon's queue and configuration, tested through @testable import of the executable.
        .testTarget(name: "KinoradTests", dependencies: ["kinorad"]),
        .testTarget(name: "KinoraGenerationTests", dependencies: ["KinoraGeneration", "KinoraEngine", "KinoraHost", "KinoraPluginSDK"]),
        .testTarget(name: "KinoraEngineTests", dependencies: ["KinoraEngine"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
