// CoroSwift: the typed Swift API of the coroc runtime, and the base class of the
// frames `coroc translate` generates.  Translated programs import it; it
// re-exports CoroRuntime (coro.h), whose C-level API stays for C.
//
// One API, three ways to run it:
//  - stackful (and any code on a stackful coroutine): each operation calls the
//    runtime's user surface (coro_chan_send, ...), which parks by switching
//    stacks;
//  - stackless translated code: coroc sees the call (Channel, WaitGroup and
//    CoroMutex receivers whose type is visible, `select`, `sleep(ms:)`,
//    `yield()`) and lowers it to a state whose operation is one of the `co_op*`
//    entry points below: the "call again" protocol of coro.h, with the value
//    kept in a frame field (an OpSlot) while the operation is parked;
//  - off any coroutine (a plain thread): an operation that would block fails
//    loudly (`wouldBlock`), one that can complete at once completes.
//
// Ownership across the C runtime's byte copies: a channel element is a Swift
// value of T moved bit for bit (Swift values are bitwise movable).  A sender
// initializes a slot with a copy of its value (+1) and hands the bytes to the
// runtime; once the runtime says "sent", the bytes belong to the receiver or
// the channel's buffer and the sender's slot is uninitialized memory again
// (nothing released); if the send failed (closed channel) the sender still
// owns the value and destroys it.  A receiver takes the bytes into
// uninitialized memory and moves the value out (no retain).  A channel
// dropped with values still buffered destroys them (Channel.deinit).  So each
// value is destroyed exactly once: Tests/CorocSwiftTests/Inputs/differential/
// typed_leaks.coroswift counts the deinit calls of 100k objects.
@_exported import CoroRuntime

#if canImport(Glibc)
import Glibc
#endif

/// Memory for one value of an operation in flight, kept in a frame field of the
/// generated class so that the pointer the runtime holds while the operation is
/// parked stays valid (the call-again protocol re-runs the operation at the
/// same state with the same slot).  Allocated at first use, reused for every
/// later operation at the same call site, freed with the frame.
public struct OpSlot: ~Copyable {
    @usableFromInline var storage: UnsafeMutableRawPointer?
    /// A send's value has been put into `storage` and not yet given away.
    @usableFromInline var holdsValue = false
    /// A select in flight: its C case array and the Swift cases.
    var selection: SelectState?

    public init() {}

    @inlinable
    mutating func pointer<T>(for type: T.Type) -> UnsafeMutablePointer<T> {
        if let storage { return storage.assumingMemoryBound(to: T.self) }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(MemoryLayout<T>.size, 1),
                                                     alignment: MemoryLayout<T>.alignment)
        storage = fresh
        return fresh.bindMemory(to: T.self, capacity: 1)
    }

    deinit {
        // A value still held belongs to an operation that never completed (a
        // frame dropped while parked, which the runtime never does): leak it
        // rather than guess its type.
        storage?.deallocate()
    }
}

/// A blocking operation called where coroc saw no suspend point and that had to
/// wait: on a stackless worker (coroc could not see the receiver's type) or on
/// a plain thread.  Fails loudly: waiting here would block a worker thread.
@usableFromInline
func wouldBlock(_ operation: StaticString) -> Never {
    if coro_worker_id() >= 0 {
        fatalError("\(operation) would wait, but coroc did not see it as a suspend point: in stackless mode the receiver's type must be visible to coroc (annotate it, e.g. 'let ch: Channel<Int> = ...', or pass it as a parameter)")
    }
    fatalError("\(operation) would wait outside a coroutine")
}
