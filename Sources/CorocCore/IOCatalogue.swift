// The suspend-point catalogue as data (DESIGN.md "Suspend points" 1 and 2).
//
// Each entry names a C function a coroutine may call and says how a frontend
// turns the call into a suspend point:
//   .operation  the runtime has a "call again" operation for it:
//               coro_op_NAME(&f->hdr, &ret, args...) (or without &ret when the
//               call has no result, as coro_yield);
//   .blocking   epoll cannot wait on it (regular files, DNS, fsync): the call runs
//               on the runtime's blocking pool through coro_op_blocking and a
//               generated thunk.
// `stackfulName` is what stackful output calls instead (nil: the call is kept as
// written, because the runtime's user-surface function already blocks by
// switching stacks).
//
// Users extend the catalogue with `--io-catalogue FILE`; the file format is one
// entry per line, `#` starts a comment:
//
//     NAME blocking                       # run on the blocking pool
//     NAME op RUNTIME_FUNCTION [noresult] # a coro_op_* style operation
//     NAME ... stackful=WRAPPER           # optional, for stackful output
public struct IOCatalogue: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case operation(function: String, hasResult: Bool)
        case blocking
    }

    /// Why a call suspends; shown by `coroc explain`.
    public enum Category: String, Sendable, Equatable {
        case io        // epoll-driven fd operation or timer
        case blocking  // blocking pool
        case runtime   // coroutine runtime call (yield, channels, ...)
    }

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var kind: Kind
        public var category: Category
        public var stackfulName: String?

        public init(name: String, kind: Kind, category: Category, stackfulName: String? = nil) {
            self.name = name
            self.kind = kind
            self.category = category
            self.stackfulName = stackfulName
        }
    }

    public private(set) var entries: [String: Entry]

    public init(entries: [Entry]) {
        var table: [String: Entry] = [:]
        for entry in entries { table[entry.name] = entry }
        self.entries = table
    }

    public func lookup(_ name: String) -> Entry? { entries[name] }

    /// Entries of `other` replace entries of the same name.
    public func merging(_ other: IOCatalogue) -> IOCatalogue {
        var merged = self
        for (name, entry) in other.entries { merged.entries[name] = entry }
        return merged
    }

    /// The built-in catalogue: what DESIGN.md lists and coro.h implements.
    public static let builtin: IOCatalogue = {
        func op(_ name: String, _ category: Category = .io, result: Bool = true, stackful: String? = nil) -> Entry {
            Entry(name: name, kind: .operation(function: "coro_op_" + name, hasResult: result),
                  category: category, stackfulName: stackful)
        }
        func runtime(_ name: String, _ opName: String, result: Bool = true) -> Entry {
            Entry(name: name, kind: .operation(function: opName, hasResult: result), category: .runtime)
        }
        func blocking(_ name: String) -> Entry {
            Entry(name: name, kind: .blocking, category: .blocking)
        }
        let io = ["read", "write", "recv", "send", "recvfrom", "sendto", "recvmsg", "sendmsg",
                  "readv", "writev", "accept", "accept4", "connect", "sleep", "usleep",
                  "nanosleep", "poll", "close"]
        var list = io.map { op($0, stackful: "coro_" + $0) }
        list += [
            runtime("coro_yield", "coro_op_yield", result: false),
            runtime("coro_sleep_ms", "coro_op_sleep_ms"),
            runtime("coro_chan_send", "coro_op_chan_send"),
            runtime("coro_chan_recv", "coro_op_chan_recv"),
            runtime("coro_select", "coro_op_select"),
            runtime("coro_wg_wait", "coro_op_wg_wait"),
            runtime("coro_mutex_lock", "coro_op_mutex_lock"),
        ]
        list += ["open", "openat", "creat", "pread", "pwrite", "fsync", "fdatasync",
                 "getaddrinfo", "stat", "fstat", "unlink", "rename", "mkdir", "ftruncate"].map(blocking)
        return IOCatalogue(entries: list)
    }()

    /// Parses the `--io-catalogue` format above; errors point at the bad line.
    public static func parse(_ text: String, file: String) throws(DiagnosticError) -> IOCatalogue {
        var list: [Entry] = []
        var errors: [Diagnostic] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if words.isEmpty { continue }
            var stackful: String?
            if let last = words.last, last.hasPrefix("stackful=") {
                stackful = String(last.dropFirst("stackful=".count))
                words.removeLast()
            }
            let location = SourceLocation(file: file, line: index + 1, column: 1)
            switch (words.count, words.count > 1 ? words[1] : "") {
            case (2, "blocking"):
                list.append(Entry(name: words[0], kind: .blocking, category: .blocking, stackfulName: stackful))
            case (3, "op"), (4, "op"):
                let hasResult = words.count == 3
                if !hasResult && words[3] != "noresult" { fallthrough }
                let category: Category = words[0].hasPrefix("coro_") ? .runtime : .io
                list.append(Entry(name: words[0], kind: .operation(function: words[2], hasResult: hasResult),
                                  category: category, stackfulName: stackful))
            default:
                errors.append(Diagnostic(.error, at: location, Messages.badCatalogueLine, sourceLine: String(rawLine)))
            }
        }
        if !errors.isEmpty { throw DiagnosticError(errors) }
        return IOCatalogue(entries: list)
    }

    /// The built-in catalogue extended by the entries in the file at `path`.
    public static func load(path: String) throws(DiagnosticError) -> IOCatalogue {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DiagnosticError([Diagnostic(.error, at: nil, "cannot read I/O catalogue '\(path)'")])
        }
        return builtin.merging(try parse(text, file: path))
    }

    enum Messages {
        static let badCatalogueLine =
            "malformed catalogue entry; expected 'NAME blocking' or 'NAME op FUNCTION [noresult]' (optionally 'stackful=WRAPPER')"
    }
}

import Foundation
