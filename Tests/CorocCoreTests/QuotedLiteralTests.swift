// The one string-literal quoting: backslash escaped before the quote, so the
// quote's escape is not doubled.
import CorocCore
import Testing

@Test func quotingEscapesBackslashQuoteAndNewline() {
    #expect(QuotedLiteral.quoted("a\\b\"c\nd") == "\"a\\\\b\\\"c\\nd\"")
    #expect(QuotedLiteral.escaped("plain/path.c") == "plain/path.c")
    #expect(QuotedLiteral.escaped("\\\"") == "\\\\\\\"")
}
