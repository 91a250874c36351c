// swift-tools-version: 6.1
// A SwiftPM client of coroc: the CorocPlugin build-tool plugin translates
// Sources/wordfreq/*.coroswift into Swift state machines at build time.
import PackageDescription

let package = Package(
    name: "wordfreq",
    dependencies: [
        .package(name: "coroc", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "wordfreq",
            dependencies: [.product(name: "CoroSwift", package: "coroc")],
            plugins: [.plugin(name: "CorocPlugin", package: "coroc")]
        ),
    ]
)
