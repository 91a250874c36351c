// Subprocess: run a tool with an argv array (never a shell string), optionally
// capturing its output, with a time limit, and report how it ended.
//
// Contract: `run` returns once the child has exited (or was killed at the time
// limit); a signal death is reported as .signaled(n) so callers can print
// "killed by signal 11 (SIGSEGV)" instead of a bare status.
//
// Children never outlive us: Foundation starts each child in its own process
// group (so a terminal's Ctrl-C or `timeout`'s group kill does not reach it
// directly); ChildGroups forwards SIGINT/SIGTERM/SIGHUP to every running
// child's group, SIGKILLs the groups a moment later, and exits 128+signal.
// A time-out kills the child's whole group.  (A SIGKILL of coroc itself
// cannot be caught; that case alone can leave a child behind.)

import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum ExitReason: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)
    case timedOut(seconds: Double)

    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let sig): return "killed by signal \(sig) (\(signalName(sig)))"
        case .timedOut(let s): return "timed out after \(Int(s)) s"
        }
    }

    /// The status a shell would report, for passing a child's outcome on as ours.
    public var shellStatus: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let sig): return 128 + sig
        case .timedOut: return 124
        }
    }
}

func signalName(_ sig: Int32) -> String {
    switch sig {
    case SIGSEGV: return "SIGSEGV"
    case SIGABRT: return "SIGABRT"
    case SIGBUS: return "SIGBUS"
    case SIGILL: return "SIGILL"
    case SIGFPE: return "SIGFPE"
    case SIGKILL: return "SIGKILL"
    case SIGTERM: return "SIGTERM"
    case SIGPIPE: return "SIGPIPE"
    case SIGINT: return "SIGINT"
    default: return "signal \(sig)"
    }
}

public struct ProcessResult: Sendable {
    public var reason: ExitReason
    public var stdout: Data
    public var stderr: Data
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

public enum Subprocess {
    /// Finds `tool` in PATH (or returns it as is when it contains a slash).
    public static func which(_ tool: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        for dir in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs argv[0] (looked up in PATH) with the rest as arguments.
    /// capture: stdout/stderr are collected and returned; otherwise inherited.
    public static func run(_ argv: [String], environment: [String: String]? = nil,
                           capture: Bool = true, stdin: FileHandle? = nil,
                           timeoutSeconds: Double? = nil) throws -> ProcessResult {
        precondition(!argv.isEmpty, "Subprocess.run: empty argv")
        guard let exe = which(argv[0], environment: environment ?? ProcessInfo.processInfo.environment) else {
            throw DriverError.environment("cannot find '\(argv[0])' in PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = Array(argv.dropFirst())
        if let environment { process.environment = environment }
        process.standardInput = stdin ?? FileHandle.nullDevice
        let outPipe = Pipe(), errPipe = Pipe()
        if capture {
            process.standardOutput = outPipe
            process.standardError = errPipe
        }
        let collector = OutputCollector()
        if capture {
            collector.drain(outPipe.fileHandleForReading, isStdout: true)
            collector.drain(errPipe.fileHandleForReading, isStdout: false)
        }
        ChildGroups.shared.installForwarding()
        try process.run()
        let pid = process.processIdentifier
        ChildGroups.shared.add(pid)
        defer { ChildGroups.shared.remove(pid) }
        let timedOut = TimeoutFlag()
        if let timeoutSeconds {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
                if process.isRunning { timedOut.set(); ChildGroups.kill(pid, SIGKILL) }
            }
        }
        process.waitUntilExit()
        collector.wait()
        let reason: ExitReason
        if timedOut.isSet, let t = timeoutSeconds {
            reason = .timedOut(seconds: t)
        } else if process.terminationReason == .uncaughtSignal {
            reason = .signaled(process.terminationStatus)
        } else {
            reason = .exited(process.terminationStatus)
        }
        return ProcessResult(reason: reason, stdout: collector.stdout, stderr: collector.stderr)
    }
}

/// Reads both pipes on background threads so a child that fills one pipe
/// while we wait on the other cannot deadlock.
private final class OutputCollector: @unchecked Sendable {
    // Guarded by `lock`.
    var stdout = Data()
    var stderr = Data()
    private let lock = NSLock()
    private let group = DispatchGroup()

    func drain(_ handle: FileHandle, isStdout: Bool) {
        group.enter()
        DispatchQueue.global().async {
            let data = handle.readDataToEndOfFile()
            self.lock.lock()
            if isStdout { self.stdout = data } else { self.stderr = data }
            self.lock.unlock()
            self.group.leave()
        }
    }

    func wait() { group.wait() }
}

private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false  // guarded by lock
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// Written once before the handlers are installed, then only read (by the
/// signal handler, which can use nothing but write(2)).
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The running children, so a signal to coroc reaches them (see the header).
final class ChildGroups: @unchecked Sendable {
    static let shared = ChildGroups()
    private let lock = NSLock()
    private var pids: Set<pid_t> = []            // guarded by lock
    private var installed = false                // guarded by lock

    func add(_ pid: pid_t) { lock.lock(); pids.insert(pid); lock.unlock() }
    func remove(_ pid: pid_t) { lock.lock(); pids.remove(pid); lock.unlock() }
    private func snapshot() -> Set<pid_t> { lock.lock(); defer { lock.unlock() }; return pids }

    /// Signals the child's process group (Foundation makes the child its
    /// leader), falling back to the child alone if it has left the group.
    static func kill(_ pid: pid_t, _ sig: Int32) {
        if getpgid(pid) == pid { _ = Glibc.kill(-pid, sig) } else { _ = Glibc.kill(pid, sig) }
    }

    /// A real handler (not SIG_IGN, which a child would inherit across exec)
    /// that writes the signal number to a close-on-exec pipe; a thread reads
    /// it and does the forwarding outside signal context.
    func installForwarding() {
        lock.lock(); defer { lock.unlock() }
        guard !installed else { return }
        installed = true
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        signalPipeWriteEnd = fds[1]
        let readEnd = fds[0]
        Thread.detachNewThread { [self] in
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 { forward(Int32(byte)) } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
        // A parent (a test runner, a shell job) may start coroc with these signals
        // blocked, and the mask is inherited across exec: unblocked here, or the
        // handler never runs and the program outlives coroc.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&unblock, sig) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                var b = UInt8(truncatingIfNeeded: sig)
                _ = write(signalPipeWriteEnd, &b, 1)
            }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
    }

    /// Passes the signal on, gives the children a moment to exit on their own,
    /// then kills what is left and exits as the signal would have.
    private func forward(_ sig: Int32) {
        let children = snapshot()
        for pid in children { Self.kill(pid, sig) }
        let deadline = Date().addingTimeInterval(children.isEmpty ? 0 : 2)
        while Date() < deadline && !snapshot().isEmpty { usleep(20_000) }
        for pid in snapshot() { Self.kill(pid, SIGKILL) }
        fflush(nil)
        _exit(128 + sig)
    }
}
