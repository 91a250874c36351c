// Pass 2, part of Lower: the diagnostics of the lowering, as data (STYLE.md:
// "diagnostics are data"); DiagnosticsTests checks each where it must land.
// Input/output: none; these are the message texts Lower.swift and its
// extensions (LowerSuspendPoints, LowerControlFlow) report.
extension Lower {
    enum Messages {
        static func noBody(_ name: String) -> String { "coroutine '\(name)' has no body" }
        static func wideOptionalTry(_ mark: String) -> String {
            "'try\(mark)' covers more than the coroutine call it awaits; write 'try\(mark)' on the call alone, or bind it first ('let r = try\(mark) f(...)')"
        }
        static let fallthroughTarget = "'fallthrough' here has no next case to go to in this coroutine's lowered switch"
        static func redeclared(_ name: String, _ first: String, _ second: String) -> String {
            "variable '\(name)' is declared as '\(first)' and as '\(second)' in the same coroutine; a variable that lives across a suspend point needs one name per type (rename one)"
        }
        static func awaitInClosure(_ name: String) -> String {
            "call of coroutine '\(name)' inside a closure; coroutines can be awaited only directly in a coroutine body (or spawned with coro_go)"
        }
        static func conditionalSuspend(_ what: String, _ op: String) -> String {
            "suspend point '\(what)' is evaluated conditionally (right of \(op)); move it to a statement of its own"
        }
        static let ternaryType = "cannot see the type of this '?:', whose branch suspends and whose value lives in the frame; annotate the variable it initializes ('let x: <Type> = ...')"
        static func callBeforeSuspend(_ what: String) -> String {
            "this call is evaluated before the suspend point '\(what)' in the same expression, but suspend points are hoisted into states of their own; move it to a statement of its own before"
        }
        static func callInSuspendArguments(_ what: String) -> String {
            "this call in the arguments of '\(what)' would run again each time the suspended call is retried; compute it in a statement of its own before ('let value: <Type> = ...')"
        }
        static let suspendInIfConfig = "a suspend point inside '#if' in a coroutine is not supported; move the '#if' out of the coroutine or the suspend point out of the '#if'"
        static let ifConfigInSwitch = "'#if' inside a switch with suspend points is not supported"
        static let unsupportedFor = "'for try await' and 'for case' loops are not supported in a coroutine"
        static let forPattern = "a loop over a sequence in a coroutine binds a name, _ or a flat tuple of those ('for (a, b) in ...'); destructure deeper patterns inside the loop body"
        static func forTupleType(_ pattern: String, _ element: String) -> String {
            "the pattern '\(pattern)' does not match the loop's element type '\(element)' as coroc reads it; annotate the loop: 'for \(pattern): (<Type>, <Type>) in ...'"
        }
        static func forElementType(_ name: String) -> String {
            "cannot see the element type of this loop's sequence, and its iterator lives in the frame (every loop back-edge is a suspend point); annotate the loop variable: 'for \(name): <Type> in ...'"
        }
        static func shadowsParameter(_ name: String) -> String {
            "local '\(name)' shadows the coroutine's parameter '\(name)'; give it another name"
        }
        static func escapingCapture(_ name: String) -> String {
            "closure captures '\(name)', which lives across a suspend point (a field of the coroutine's frame), and may escape; copy it into a local constant first and capture that"
        }
        static let suspendInDefer = "a 'defer' body in a coroutine cannot contain a suspend point or a loop"
        static func jumpTarget(_ label: String?) -> String {
            label.map { "no enclosing statement labeled '\($0)'" } ?? "'break' or 'continue' outside of a loop or switch"
        }
        static let mainInsideCoroutine =
            "coro_main(...) starts the scheduler and belongs outside coroutines; inside one, await the coroutine (f(...)) or spawn it (coro_go(f(...)))"
        static func spawnNeedsCoroutine(_ marker: String) -> String {
            "\(marker)(...) takes a call of a @coroutine function of this file, e.g. \(marker)(worker(1))"
        }
    }
}
