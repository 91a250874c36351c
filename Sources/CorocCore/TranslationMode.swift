// Which kind of code a frontend produces from the same annotated source (DESIGN.md:
// "Stackful mode (same source)").  Switched exhaustively wherever it matters.
public enum TranslationMode: String, Sendable, CaseIterable {
    /// Each coroutine becomes a frame struct plus a resume function (a state machine).
    case stackless
    /// Bodies stay as written and run on their own stacks; only I/O calls,
    /// back-edge checks and coro_go / coro_main are rewritten.
    case stackful
}
