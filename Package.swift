// swift-tools-version:6.0
// The engine's slice of the Kinora package. The skeleton branch owns the other targets;
// these are merged into its manifest by hand.
import PackageDescription

let package = Package(
    name: "Kinora",
    products: [
        .library(name: "KinoraEngine", targets: ["KinoraEngine"]),
        .executable(name: "kinora-bench-engine", targets: ["kinora-bench-engine"]),
    ],
    targets: [
        // Debian's libopenblas-dev installs openblas.pc (headers under openblas-pthread/).
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "KinoraEngine",
            dependencies: ["COpenBLAS"]
        ),
        .executableTarget(
            name: "kinora-bench-engine",
            dependencies: ["KinoraEngine", "COpenBLAS"]
        ),
        .testTarget(
            name: "KinoraEngineTests",
            dependencies: ["KinoraEngine"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
