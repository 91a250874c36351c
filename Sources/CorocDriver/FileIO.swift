// FileIO: temp files via mkstemp and atomic output writes.
//
// An output file is either absent or complete: we write to a mkstemp file in
// the destination's directory and rename(2) it over the destination, so an
// error (or a crash) never leaves a half-written translation behind.

import CorocCore
import Foundation

public enum FileIO {
    public static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                throw DriverError.usage(isDir.boolValue ? "\(path): is a directory" : "\(path): cannot read file")
            }
            throw DriverError.usage("no such file: \(path)")
        }
        return ByteText.decode(data)
    }

    /// Creates a unique file from a template ending in XXXXXX plus `suffix`.
    public static func makeTemp(directory: String = NSTemporaryDirectory(), prefix: String, suffix: String) throws -> String {
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        var bytes = Array((dir + prefix + "XXXXXX" + suffix).utf8CString)
        let fd = bytes.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(suffix.utf8.count)) }
        if fd < 0 {
            throw DriverError.environment("cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        close(fd)
        return cStringToString(bytes)
    }

    /// A fresh private directory (mkdtemp) for one compile-and-run.
    public static func makeTempDirectory(prefix: String) throws -> String {
        var bytes = Array((NSTemporaryDirectory() + prefix + "XXXXXX").utf8CString)
        let ok = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        if !ok { throw DriverError.environment("cannot create a temporary directory: \(String(cString: strerror(errno)))") }
        return cStringToString(bytes)
    }

    /// Writes `text` to `path` atomically (temp file in the same directory + rename).
    public static func writeAtomically(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try writeAtomically(bytes: ByteText.encode(text), to: path, mode: mode)
    }

    /// Writes `bytes` to `path` atomically (temp file in the same directory + rename).
    public static func writeAtomically(bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = try makeTemp(directory: dir.isEmpty ? "." : dir, prefix: ".coroc-", suffix: ".tmp")
        do {
            guard let handle = FileHandle(forWritingAtPath: tmp) else {
                throw DriverError.environment("cannot write \(tmp)")
            }
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
            try handle.close()
            chmod(tmp, mode)
            if rename(tmp, path) != 0 {
                throw DriverError.environment("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(tmp)
            throw error
        }
    }
}

func cStringToString(_ bytes: [CChar]) -> String {
    String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
