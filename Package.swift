// swift-tools-version: 6.1
// coroc: a static coroutine toolchain. Layout and contracts: DESIGN.md.
import PackageDescription

let package = Package(
    name: "coroc",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "coroc", targets: ["coroc"]),
        .library(name: "CoroRuntime", targets: ["CoroRuntime"]),
        // The typed Swift API (Channel<T>, select, WaitGroup, ...) and the frame
        // base class that translated .coroswift code imports.
        .library(name: "CoroSwift", targets: ["CoroSwift"]),
        .plugin(name: "CorocPlugin", targets: ["CorocPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-syntax", from: "603.0.1"),
    ],
    targets: [
        // libclang 14's C API (module map + include/clang-c symlink; see NOTES.md),
        // loaded with dlopen when first needed (loader.c): without libclang,
        // coroc still starts, translates Swift, and says what to install.
        .target(
            name: "CClang",
            linkerSettings: [.linkedLibrary("dl")]
        ),
        // The native runtime; also built by Runtime/Makefile for C users.
        .target(
            name: "CoroRuntime",
            path: "Runtime",
            exclude: ["tests", "bench", "Makefile", "coro.pc.in", "README.md"],
            sources: ["src"],
            publicHeadersPath: "include",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("pthread")]
        ),
        // Sources/CoroSwift/CoroSwift.swift explains it; re-exports CoroRuntime.
        .target(name: "CoroSwift", dependencies: ["CoroRuntime"]),
        .target(name: "CorocCore"),
        .target(name: "CorocC", dependencies: ["CorocCore", "CClang"]),
        .target(
            name: "CorocSwift",
            dependencies: [
                "CorocCore",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
                // clear messages for syntax errors in .coroswift input
                .product(name: "SwiftParserDiagnostics", package: "swift-syntax"),
            ]
        ),
        .target(name: "CorocDriver", dependencies: ["CorocCore", "CorocC", "CorocSwift"]),
        .executableTarget(
            name: "coroc",
            dependencies: [
                "CorocDriver",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .plugin(
            name: "CorocPlugin",
            capability: .buildTool(),
            dependencies: ["coroc"]
        ),
        .testTarget(name: "CorocCoreTests", dependencies: ["CorocCore"]),
        // Inputs/ holds C programs the tests translate, not sources of the test target.
        .testTarget(name: "CorocCTests", dependencies: ["CorocC", "CorocCore"], exclude: ["Inputs"]),
        // Inputs/ holds .coroswift programs the tests translate.
        .testTarget(name: "CorocSwiftTests", dependencies: ["CorocSwift", "CorocCore"], exclude: ["Inputs"]),
        .testTarget(name: "CorocDriverTests", dependencies: ["CorocDriver"]),
    ],
    swiftLanguageModes: [.v6]
)
