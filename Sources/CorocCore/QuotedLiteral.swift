// Quoting text into a string literal, once for every generated language that
// needs it: C `#line` paths, Swift `#sourceLocation(file:)`, DOT labels.  The
// escapes are the common subset of C, Swift and DOT: backslash first (so the
// escapes added after it are not doubled), then the double quote and newline.
public enum QuotedLiteral {
    /// `text` with `\`, `"` and newline escaped, without surrounding quotes.
    public static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// `text` as a double-quoted literal.
    public static func quoted(_ text: String) -> String { "\"" + escaped(text) + "\"" }
}
