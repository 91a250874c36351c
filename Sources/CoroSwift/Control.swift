// sleep(ms:), yield() and go { }: the scheduling calls.  In a stackless
// coroutine coroc lowers `sleep(ms:)` and `yield()` to the runtime's
// operations and `go { f(x) }` to the spawn of f's frame (arguments evaluated
// at the spawn); these definitions serve stackful coroutines and plain Swift
// code of the same program (main.swift), where `go` starts its closure as a
// stackful coroutine on the same scheduler.
#if canImport(Glibc)
import Glibc
#endif

/// Parks the calling coroutine for `ms` milliseconds (off a coroutine: sleeps the thread).
public func sleep(ms: Int) {
    _ = coro_sleep_ms(ms)
}

/// Lets other coroutines run (off a coroutine: sched_yield).
public func yield() {
    coro_yield()
}

/// The closure a `go { }` runs, owned by the new coroutine's entry.
private final class GoEntry {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Starts `body` as a new coroutine; in a stackless coroutine `go { f(x) }` (one
/// call of a coroutine) spawns f's frame instead.
public func go(_ body: @escaping () -> Void) {
    let entry = Unmanaged.passRetained(GoEntry(body)).toOpaque()
    let started = coro_go_stackful({ argument in
        let entry = Unmanaged<GoEntry>.fromOpaque(argument!).takeRetainedValue()
        entry.body()
    }, entry, "go")
    if started != 0 {
        Unmanaged<GoEntry>.fromOpaque(entry).release()
        fatalError("go: the coroutine could not be started (errno \(errno))")
    }
}
