// WaitGroup and CoroMutex: the runtime's wait group and mutex (wg.c, mutex.c)
// as objects, so a coroutine can hold them in a field or pass them around
// without managing C memory.  wait() and lock() are suspend points.
#if canImport(Glibc)
import Glibc
#endif

/// Go's sync.WaitGroup: add(n) before starting work, done() when each part ends,
/// wait() until the count is back to zero.
public final class WaitGroup {
    @usableFromInline let raw: UnsafeMutablePointer<coro_wg>

    public init() {
        raw = .allocate(capacity: 1)
        raw.initialize(to: coro_wg())
        coro_wg_init(raw)
    }

    deinit { raw.deallocate() }

    public func add(_ delta: Int = 1) {
        precondition(coro_wg_add(raw, delta) == 0, "WaitGroup.add(\(delta)): the counter would go negative")
    }

    public func done() {
        precondition(coro_wg_done(raw) == 0, "WaitGroup.done(): called more often than add")
    }

    /// Waits until the counter is zero.
    @inlinable
    public func wait() {
        if coro_wg_wait(raw) != 0 {
            if errno == EAGAIN { wouldBlock("WaitGroup.wait") }
            fatalError("WaitGroup.wait: coro_wg_wait failed (errno \(errno))")
        }
    }

    /// The runtime wait group, for co_opWait (static for the reason Channel.co_raw gives).
    @inlinable public var co_raw: UnsafeMutablePointer<coro_wg> { raw }

    /// `wg.wait()` in a stackless state: 0 when done, or a status to return.
    @inlinable
    public static func co_opWait(_ frame: UnsafeMutablePointer<coro_frame>, _ group: UnsafeMutablePointer<coro_wg>) -> Int32 {
        var result: Int32 = 0
        return coro_op_wg_wait(frame, &result, group)
    }
}

/// A mutex for coroutines: lock() parks the coroutine (not the thread) while
/// another holds it; FIFO hand-off (mutex.c).  Unlocking a mutex that is not
/// locked aborts, like Go.
public final class CoroMutex {
    @usableFromInline let raw: UnsafeMutablePointer<coro_mutex>

    public init() {
        raw = .allocate(capacity: 1)
        raw.initialize(to: coro_mutex())
        coro_mutex_init(raw)
    }

    deinit { raw.deallocate() }

    @inlinable
    public func lock() {
        if coro_mutex_lock(raw) != 0 {
            if errno == EAGAIN { wouldBlock("CoroMutex.lock") }
            fatalError("CoroMutex.lock: coro_mutex_lock failed (errno \(errno))")
        }
    }

    public func unlock() { coro_mutex_unlock(raw) }

    /// The runtime mutex, for co_opLock (static for the reason Channel.co_raw gives).
    @inlinable public var co_raw: UnsafeMutablePointer<coro_mutex> { raw }

    /// `m.lock()` in a stackless state: 0 when done, or a status to return.
    @inlinable
    public static func co_opLock(_ frame: UnsafeMutablePointer<coro_frame>, _ mutex: UnsafeMutablePointer<coro_mutex>) -> Int32 {
        var result: Int32 = 0
        return coro_op_mutex_lock(frame, &result, mutex)
    }
}
