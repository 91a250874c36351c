// What generated code calls besides CoroFrame (generated code only; the names
// start with co_ like everything coroc emits):
//  - stackful mode: `coro_go(f(x))` / `coro_main(f(x))` become closures run on
//    runtime stacks (co_goStackful, co_runMainStackful...); the arguments are
//    evaluated at the spawn by the closure's capture list;
//  - stackless mode: a call on the blocking pool keeps the call (a closure) and
//    its result in a co_BlockingCall while the pool runs it; the C entry point
//    reaches the generic object through its non-generic base class.
// They lived in every generated file before (as fileprivate helpers).
#if canImport(Glibc)
import Glibc
#endif

/// Owns a stackful coroutine's body from the spawn until it runs.
final class StackfulBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// `coro_go(f(...))` in stackful output: runs `run` as a new coroutine on its own stack.
public func co_goStackful(_ name: StaticString, _ run: @escaping () -> Void) {
    let body = Unmanaged.passRetained(StackfulBody(run)).toOpaque()
    let entry: @convention(c) (UnsafeMutableRawPointer?) -> Void = { argument in
        Unmanaged<StackfulBody>.fromOpaque(argument!).takeRetainedValue().run()
    }
    if coro_go_stackful(entry, body, UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) != 0 {
        Unmanaged<StackfulBody>.fromOpaque(body).release()
    }
}

/// `coro_main(f(...))` in stackful output: runs the scheduler with `run` as the entry
/// coroutine until every coroutine has finished.
public func co_runMainStackful<T>(_ name: StaticString, _ run: @escaping () -> T) -> T {
    var result: T? = nil
    let body = Unmanaged.passRetained(StackfulBody { result = run() }).toOpaque()
    let entry: @convention(c) (UnsafeMutableRawPointer?) -> Void = { argument in
        Unmanaged<StackfulBody>.fromOpaque(argument!).takeUnretainedValue().run()
    }
    if coro_run_main_stackful(entry, body, UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) != 0 {
        fatalError("coro_run_main_stackful: the scheduler could not start")
    }
    Unmanaged<StackfulBody>.fromOpaque(body).release()
    return result!
}

public func co_runMainStackfulThrowing<T>(_ name: StaticString, _ run: @escaping () throws -> T) throws -> T {
    try co_runMainStackful(name) { Result { try run() } }.get()
}

/// A spawned coroutine has nobody to rethrow to: report the error, as Go reports a panic.
public func co_reportUncaught(_ name: String, _ error: any Error) {
    let text = "coroutine \(name): uncaught error: \(error)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
}

/// A call on the blocking pool (stackless), reached from C through this base.
open class co_BlockingBase {
    public init() {}
    open func run() {}

    /// The pool's entry point: `arg` is an unretained co_BlockingBase.
    public static let entry: @convention(c) (UnsafeMutableRawPointer?) -> Void = { argument in
        Unmanaged<co_BlockingBase>.fromOpaque(argument!).takeUnretainedValue().run()
    }

    /// `coro_op_blocking` for this call: 0 when done, or a status to return.
    public final func co_op(_ frame: UnsafeMutablePointer<coro_frame>) -> Int32 {
        coro_op_blocking(frame, Self.entry, Unmanaged.passUnretained(self).toOpaque())
    }
}

public final class co_BlockingCall<T>: co_BlockingBase {
    let body: () -> T
    public private(set) var result: T? = nil
    public private(set) var savedErrno: Int32 = 0
    public init(_ body: @escaping () -> T) { self.body = body }
    public override func run() {
        result = body()
        savedErrno = errno
    }
}
