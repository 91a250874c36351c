// select over channel cases, Go's `select`: waits until one case can proceed,
// runs it, and returns its index (cases in argument order), or -1 at once when
// `orDefault: true` and no case is ready (Go's `default:`).  When several are
// ready, the runtime picks one at random (select.c).
//
//     let fromA = a.receiving()          // Receiving<Int>
//     let toB = b.sending(42)            // Sending<Int>; the value is evaluated here
//     switch select(fromA, toB, orDefault: true) {
//     case 0: print(fromA.value as Any)  // nil: `a` was closed
//     case 1: print(toB.sent)            // false: `b` was closed
//     default: print("nothing ready")
//     }
//
// A case object is used by one select at a time.  A Sending case that did not
// fire keeps its value and can be passed to the next select; one that fired
// (sent or failed) is spent.
#if canImport(Glibc)
import Glibc
#endif

/// One case of a select; create them with Channel.receiving() / Channel.sending(_:).
public class SelectCase {
    @usableFromInline let channel: OpaquePointer
    @usableFromInline let operation: Int32
    init(channel: OpaquePointer, operation: Int32) {
        self.channel = channel
        self.operation = operation
    }
    /// Where the runtime reads (send) or writes (receive) the value.
    func prepare() -> UnsafeMutableRawPointer? { nil }
    /// The select finished: `fired` tells whether this case was the one, `ok` its outcome.
    func finish(fired: Bool, ok: Bool) {}
}

public final class Receiving<T>: SelectCase {
    let source: Channel<T>
    private var buffer: UnsafeMutablePointer<T>?
    /// The value the last select received through this case; nil if another
    /// case fired, or the channel was closed.
    public private(set) var value: T?

    init(_ channel: Channel<T>) {
        source = channel
        super.init(channel: channel.raw, operation: Int32(CORO_SELECT_RECV))
    }

    deinit { buffer?.deallocate() }

    override func prepare() -> UnsafeMutableRawPointer? {
        value = nil
        if buffer == nil { buffer = .allocate(capacity: 1) }
        return UnsafeMutableRawPointer(buffer!)
    }

    override func finish(fired: Bool, ok: Bool) {
        if fired && ok { value = buffer!.move() }
    }
}

public final class Sending<T>: SelectCase {
    let target: Channel<T>
    private var buffer: UnsafeMutablePointer<T>?
    /// The last select sent this case's value (false: another case fired, or the
    /// channel was closed).
    public private(set) var sent = false

    init(_ channel: Channel<T>, _ value: T) {
        target = channel
        buffer = .allocate(capacity: 1)
        buffer!.initialize(to: value)
        super.init(channel: channel.raw, operation: Int32(CORO_SELECT_SEND))
    }

    deinit {
        if let buffer {
            buffer.deinitialize(count: 1)   // never sent: still ours
            buffer.deallocate()
        }
    }

    override func prepare() -> UnsafeMutableRawPointer? {
        sent = false
        precondition(buffer != nil, "select: this Sending case has already fired; make a new one with sending(_:)")
        return UnsafeMutableRawPointer(buffer!)
    }

    override func finish(fired: Bool, ok: Bool) {
        guard fired, let buffer else { return }
        if ok {
            sent = true
            buffer.deallocate()             // the bytes belong to the receiver / buffer now
        } else {
            buffer.deinitialize(count: 1)   // closed: the value was never sent
            buffer.deallocate()
        }
        self.buffer = nil
    }
}

/// A select in flight: the C case array the runtime may keep while parked, and
/// the Swift cases (which own the values).
final class SelectState {
    let cases: [SelectCase]
    let table: UnsafeMutablePointer<coro_select_case>
    let hasDefault: Bool

    init(_ cases: [SelectCase], orDefault: Bool) {
        self.cases = cases
        hasDefault = orDefault
        table = .allocate(capacity: Swift.max(cases.count, 1))
        for (index, item) in cases.enumerated() {
            table[index] = coro_select_case(op: item.operation, chan: item.channel, value: item.prepare(), ok: 0)
        }
    }

    deinit { table.deallocate() }

    /// Hands the outcome to the cases; returns the index that fired or -1.
    func finish(_ fired: Int32) -> Int {
        for (index, item) in cases.enumerated() {
            item.finish(fired: Int(fired) == index, ok: table[index].ok == 1)
        }
        return Int(fired)
    }
}

/// Waits for one of `cases` (see the top of this file); -1: none was ready and
/// `orDefault` is true.
@discardableResult
public func select(_ cases: SelectCase..., orDefault: Bool = false) -> Int {
    let state = SelectState(cases, orDefault: orDefault)
    let fired = coro_select(state.table, Int32(cases.count), orDefault ? 1 : 0)
    if fired == -1 && !orDefault {
        if errno == EAGAIN { wouldBlock("select") }
        fatalError("select: coro_select failed (errno \(errno))")
    }
    return state.finish(fired)
}

/// `select(...)` in a stackless state: 0 when done (`fired` set) or a status to
/// return.  The cases are evaluated once, on the first call.
public func co_opSelect(_ frame: UnsafeMutablePointer<coro_frame>, _ slot: inout OpSlot,
                        _ cases: @autoclosure () -> [SelectCase], orDefault: Bool, _ fired: inout Int) -> Int32 {
    if slot.selection == nil { slot.selection = SelectState(cases(), orDefault: orDefault) }
    let state = slot.selection!
    var result: Int32 = 0
    let status = coro_op_select(frame, &result, state.table, Int32(state.cases.count), state.hasDefault ? 1 : 0)
    if status != 0 { return status }
    slot.selection = nil
    fired = state.finish(result)
    return 0
}
