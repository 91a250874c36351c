// Shared helpers of the C frontend tests: where the inputs and the runtime
// are, translating, compiling with the system cc (argv arrays, no shell) and
// running programs.
import CorocC
import CorocCore
import Foundation

enum Paths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let inputs = tests.appendingPathComponent("Inputs")
    static let repo = tests.deletingLastPathComponent().deletingLastPathComponent()
    static let runtimeInclude = repo.appendingPathComponent("Runtime/include").path
    static let runtimeLibrary = repo.appendingPathComponent("Runtime/build/libcoro.a").path

    static func input(_ group: String, _ name: String) -> String {
        inputs.appendingPathComponent(group).appendingPathComponent(name).path
    }

    static func inputs(_ group: String, ext: String) -> [String] {
        let dir = inputs.appendingPathComponent(group)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix("." + ext) }.sorted()
    }
}

func translate(_ path: String, mode: TranslationMode = .stackless) throws(DiagnosticError) -> CTranslation {
    let options = CTranslateOptions(mode: mode, catalogue: .builtin, clangArgs: ["-I", Paths.runtimeInclude])
    return try CTranslator(options: options).translate(path: path)
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs argv[0] (looked up in PATH) with the arguments; no shell.
func runProcess(_ argv: [String], environment: [String: String] = [:]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = argv
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes while the child runs so a full pipe cannot block it.
    nonisolated(unsafe) var errData = Data()
    let errThread = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    errThread.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while errThread.isExecuting || !errThread.isFinished { usleep(1000) }
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh temporary file path (mkstemp) with the given suffix.
func temporaryFile(suffix: String, contents: String? = nil) -> String {
    var template = Array((NSTemporaryDirectory() + "coroc-test-XXXXXX" + suffix).utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(suffix.utf8.count)) }
    precondition(fd >= 0, "mkstemps failed")
    close(fd)
    let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    // Byte-exact (ByteText): C text may carry bytes that are not UTF-8.
    if let contents { _ = FileManager.default.createFile(atPath: path, contents: Data(ByteText.encode(contents))) }
    return path
}

/// The runtime library, built once if missing.
func runtimeLibrary() throws -> String {
    if !FileManager.default.fileExists(atPath: Paths.runtimeLibrary) {
        _ = try runProcess(["make", "-C", Paths.repo.appendingPathComponent("Runtime").path])
    }
    return Paths.runtimeLibrary
}

/// Compiles C text (as file `name` for #line purposes is kept by the text
/// itself) into an executable; returns its path or throws with cc's errors.
struct CompileError: Error, CustomStringConvertible {
    var description: String
}

func compile(_ cText: String, linkRuntime: Bool, extraFlags: [String] = []) throws -> String {
    let source = temporaryFile(suffix: ".c", contents: cText)
    let exe = temporaryFile(suffix: ".out")
    var argv = ["cc", "-std=gnu17", "-g", "-O1", "-Wall", "-Wextra", "-I", Paths.runtimeInclude]
    argv += extraFlags + [source, "-o", exe]
    if linkRuntime { argv += [try runtimeLibrary(), "-lpthread"] }
    let result = try runProcess(argv)
    if result.status != 0 { throw CompileError(description: "cc failed on \(source):\n\(result.stderr)") }
    try? FileManager.default.removeItem(atPath: source)
    return exe
}

func readFile(_ path: String) -> String {
    FileManager.default.contents(atPath: path).map { ByteText.decode($0) } ?? ""
}
