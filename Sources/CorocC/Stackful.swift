// Stackful mode (placeholder until implemented): not yet supported.
import CorocCore

enum Stackful {
    static func run(_ unit: ParsedUnit, _ coroutines: [Coroutine], catalogue: IOCatalogue, command: String) throws(DiagnosticError) -> String {
        throw DiagnosticError([Diagnostic(.error, at: nil, "stackful translation of C is not implemented yet")])
    }
}
