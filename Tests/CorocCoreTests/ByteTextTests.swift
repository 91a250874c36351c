// ByteText's contract: every byte sequence survives decode then encode, and
// valid UTF-8 decodes as usual (so passes that read it as text see the text).
import CorocCore
import Testing

@Test func everyByteSurvivesTheRoundTrip() {
    // Each single byte, invalid and truncated sequences, an overlong form,
    // a surrogate, and a genuine U+10FF80 (the escape range itself).
    var cases: [[UInt8]] = (0...255).map { [UInt8($0)] }
    cases += [[0x61, 0xFF, 0x80, 0x7A], [0xE2, 0x82], [0xC0, 0xAF], [0xED, 0xA0, 0x80],
              [0xF4, 0x8F, 0xBE, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x63, 0x61, 0x66, 0xE9]]
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<200 {
        cases.append((0..<32).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: seed >> 56)
        })
    }
    for bytes in cases {
        #expect(ByteText.encode(ByteText.decode(bytes)) == bytes, "\(bytes)")
    }
}

@Test func validUTF8DecodesAsText() {
    let text = "int main(void) { puts(\"caf\u{e9} \u{1F600}\"); }"
    #expect(ByteText.decode(Array(text.utf8)) == text)
    #expect(ByteText.encode(text) == Array(text.utf8))
    // A raw 0xFF is not U+FFFD.
    #expect(ByteText.encode(ByteText.decode([0x22, 0xFF, 0x22])).count == 3)
}
