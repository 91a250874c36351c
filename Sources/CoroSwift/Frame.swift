// CoroFrame: the base class of every frame class `coroc translate` generates
// (stackless mode), holding the lifecycle each of them used to repeat.
//
// Why a class holding a pointer to a C frame, not a struct with the header in
// front: Swift gives no layout guarantee for a class's stored properties, so
// the runtime cannot own a Swift object as a `coro_frame`.  Instead the object
// allocates a C frame with coro_frame_alloc: the coro_frame header followed by
// one pointer back to the object.  The header's `resume` is a @convention(c)
// thunk that loads that pointer and calls the object's co_resume() (the
// subclass's state machine).
//
// Ownership: the object is retained once (co_retainForRuntime) when it is
// handed to the runtime (spawn, run-main, await), and that reference is
// released by the thunk when co_resume() returns CORO_DONE, so the object
// lives exactly as long as the runtime may resume it.  The C frame is freed by
// the runtime for spawned roots, by the awaiting caller for children (or by
// this object's deinit when the caller keeps the frame for reuse:
// co_ownsCFrame), and by co_runRoot for the entry coroutine (coro.h "frame
// memory").
//
// Concurrency: the object is touched by whichever worker resumes it, but never
// by two at once: a frame is resumed by one worker at a time and the run-queue
// hand-off between workers orders those accesses (coro.h's protocol).  So no
// Sendable conformance: no Swift concurrency-checked boundary is crossed, and
// the thunk captures nothing.  Fields are `@exclusivity(unchecked)` for the
// reason docs/swift.md and coroc's Emit.swift give (a runtime call per access).
#if canImport(Glibc)
import Glibc
#endif

open class CoroFrame {
    /// The C frame the runtime drives: header, then the pointer to this object.
    public let co_hdr: UnsafeMutablePointer<coro_frame>
    /// The coroutine's name, for the uncaught-error report.
    public let co_name: StaticString
    /// Awaited through a frame kept by the caller: this object frees its C frame.
    @exclusivity(unchecked) public final var co_ownsCFrame = false
    /// Spawned with coro_go: an error it throws has no caller to go to.
    @exclusivity(unchecked) public final var co_detached = false
    /// The error the coroutine finished with (throwing coroutines; do/catch unwinding).
    @exclusivity(unchecked) public final var co_error: (any Swift.Error)? = nil

    public init(name: StaticString) {
        co_name = name
        let raw = coro_frame_alloc(MemoryLayout<coro_frame>.stride + MemoryLayout<UnsafeRawPointer>.stride)!
        co_hdr = UnsafeMutableRawPointer(raw).bindMemory(to: coro_frame.self, capacity: 1)
        co_hdr.pointee.resume = { frame in
            let object = Swift.Unmanaged<CoroFrame>.fromOpaque(UnsafeRawPointer(frame! + 1).load(as: UnsafeRawPointer.self))
            // Borrow the object: the runtime's reference keeps it alive across the call.
            let status = object._withUnsafeGuaranteedRef { $0.co_resume() }
            if status == CORO_DONE {
                // Done: the runtime will not resume this frame again; drop its reference.
                // A spawned task has nobody to rethrow to: report the error, as Go reports a panic.
                let frame = object.takeUnretainedValue()
                if frame.co_detached, let error = frame.co_error {
                    let text = "coroutine \(frame.co_name): uncaught error: \(error)\n"
                    _ = text.withCString { write(2, $0, strlen($0)) }
                }
                object.release()
            }
            return status
        }
        co_resetHeader()
        UnsafeMutableRawPointer(co_hdr + 1).storeBytes(of: UnsafeRawPointer(Swift.Unmanaged.passUnretained(self).toOpaque()),
                                                       as: UnsafeRawPointer.self)
    }

    deinit {
        if co_ownsCFrame { coro_frame_free(co_hdr) }
    }

    /// The state machine; every generated class overrides it.
    open func co_resume() -> coro_status {
        fatalError("CoroFrame.co_resume: not overridden by \(type(of: self))")
    }

    /// State 0, no caller, no task: ready to start (again, for a frame its caller reuses).
    @inlinable
    public final func co_resetHeader() {
        co_hdr.pointee.state = 0
        co_hdr.pointee.caller = nil
        co_hdr.pointee.task = nil
    }

    /// The reference the runtime holds while it may resume this frame (released by the thunk on CORO_DONE).
    @inlinable
    public final func co_retainForRuntime() { _ = Swift.Unmanaged.passRetained(self) }

    /// `coro_go(f(...))`: a new task; the runtime frees the C frame when it ends.
    /// A throwing coroutine's class sets co_detached first, so its error is reported.
    public final func co_spawn(_ name: StaticString) {
        co_retainForRuntime()
        if coro_spawn(co_hdr, UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) != 0 {
            Swift.Unmanaged.passUnretained(self).release()
            coro_frame_free(co_hdr)
        }
    }

    /// `coro_go(f(...))` of a throwing coroutine: an error it finishes with is printed on stderr.
    public final func co_spawnReportingErrors(_ name: StaticString) {
        co_detached = true
        co_spawn(name)
    }

    /// `coro_main(f(...))`: runs the scheduler with this frame as the entry task until
    /// every task has finished, then frees the C frame (the subclass reads the result).
    public final func co_runRoot(_ name: StaticString) {
        co_retainForRuntime()
        if coro_run_main(co_hdr, UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) != 0 {
            fatalError("coro_run_main: the scheduler could not start")
        }
        coro_frame_free(co_hdr)
    }
}
