// Channel<T>: a typed channel over the runtime's byte channel (coro_chan), for
// any Swift value (classes, strings, arrays, structs).  Ownership rules: see
// CoroSwift.swift.  Unbuffered (`Channel<T>()`) or buffered
// (`Channel<T>(capacity: n)`), Go's semantics: a send on an unbuffered channel
// waits for a receiver, `receive()` returns nil once the channel is closed and
// drained, a send on a closed channel returns false and drops nothing (the
// value is destroyed by the sender).
#if canImport(Glibc)
import Glibc
#endif

public final class Channel<T> {
    /// The runtime's channel of MemoryLayout<T>.size-byte elements; freed in deinit.
    @usableFromInline let raw: OpaquePointer

    public init(capacity: Int = 0) {
        precondition(capacity >= 0, "Channel: negative capacity \(capacity)")
        guard let channel = coro_chan_new(MemoryLayout<T>.size, capacity) else {
            fatalError("Channel: coro_chan_new failed (errno \(errno))")
        }
        raw = channel
    }

    deinit {
        // No coroutine can be parked on it (a parked operation holds a
        // reference).  Values still buffered are destroyed here, once each.
        _ = coro_chan_close(raw)   // -1/EINVAL when already closed: fine
        withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { buffer in
            while coro_chan_recv(raw, buffer.baseAddress) == 1 { buffer.baseAddress!.deinitialize(count: 1) }
        }
        coro_chan_free(raw)
    }

    /// Sends `value`; waits (unbuffered: for a receiver; buffered: for room).
    /// false when the channel is closed (the value is then destroyed here).
    @inlinable @discardableResult
    public func send(_ value: T) -> Bool {
        withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { buffer in
            let slot = buffer.baseAddress!
            slot.initialize(to: value)
            if coro_chan_send(raw, slot) == 0 { return true }   // the bytes moved to the receiver / buffer
            let failure = errno
            slot.deinitialize(count: 1)
            if failure == EAGAIN { wouldBlock("Channel.send") }
            return false
        }
    }

    /// The next value; nil once the channel is closed and drained.
    @inlinable
    public func receive() -> T? {
        withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { buffer in
            let slot = buffer.baseAddress!
            switch coro_chan_recv(raw, slot) {
            case 1: return slot.move()
            case 0: return nil
            default:
                if errno == EAGAIN { wouldBlock("Channel.receive") }
                fatalError("Channel.receive: coro_chan_recv failed (errno \(errno))")
            }
        }
    }

    /// Closes the channel: receivers drain it, then get nil; senders get false.
    /// false if it was already closed.
    @discardableResult
    public func close() -> Bool { coro_chan_close(raw) == 0 }

    /// A receive case for `select`.
    public func receiving() -> Receiving<T> { Receiving(self) }
    /// A send case for `select`; the value is evaluated here.
    public func sending(_ value: T) -> Sending<T> { Sending(self, value) }

    // MARK: stackless entry points (generated code only)
    //
    // Static, on the runtime channel: generated code loads `ch.co_raw` (a
    // pointer) first, so the call holds no reference to the Channel object
    // across its inout accesses to frame fields; a method call on `ch` made
    // Swift retain and release it around every operation (bench/swift/
    // chan_typed: ~2.6x the C API's time per hand-off, half of it in
    // swift_retain/swift_release).  The frame field holding `ch` keeps it alive.

    /// The runtime channel, for the entry points below.
    @inlinable public var co_raw: OpaquePointer { raw }

    /// `ch.send(v)` in a stackless state: 0 when done (`sent` set) or a status
    /// to return.  `value` is evaluated once, on the first call.
    @inlinable
    public static func co_opSend(_ frame: UnsafeMutablePointer<coro_frame>, _ channel: OpaquePointer, _ slot: inout OpSlot,
                                 _ value: @autoclosure () -> T, _ sent: inout Bool) -> Int32 {
        let pointer = slot.pointer(for: T.self)
        if !slot.holdsValue {
            pointer.initialize(to: value())
            slot.holdsValue = true
        }
        var result: Int32 = 0
        let status = coro_op_chan_send(frame, &result, channel, pointer)
        if status != 0 { return status }
        slot.holdsValue = false
        if result == 0 {
            sent = true                         // the bytes belong to the receiver / buffer now
        } else {
            pointer.deinitialize(count: 1)      // closed: the value is still ours
            sent = false
        }
        return 0
    }

    /// `ch.receive()` in a stackless state: 0 when done (`value` set) or a status to return.
    @inlinable
    public static func co_opReceive(_ frame: UnsafeMutablePointer<coro_frame>, _ channel: OpaquePointer,
                                    _ slot: inout OpSlot, _ value: inout T?) -> Int32 {
        let pointer = slot.pointer(for: T.self)
        var result: Int32 = 0
        let status = coro_op_chan_recv(frame, &result, channel, pointer)
        if status != 0 { return status }
        value = result == 1 ? pointer.move() : nil
        return 0
    }
}
