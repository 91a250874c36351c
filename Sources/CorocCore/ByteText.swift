// ByteText: carry a C file's exact bytes through Swift `String`s.
//
// Contract: `encode(decode(b)) == b` for every byte sequence `b`, and for a
// `b` that is valid UTF-8 without code points U+10FF00...U+10FFFF,
// `decode(b)` is the ordinary UTF-8 decoding.
//
// Why: C source is bytes, not text; a string literal may hold any byte
// ("\xff" written raw, Latin-1 files). `String(decoding:as: UTF8.self)` turns
// each invalid byte into U+FFFD (three bytes), which changes the literal's
// `sizeof` and contents. The translators work on `String`s throughout, so
// instead of converting every pass we make the conversion at the file edges
// reversible: a byte that is not part of a valid UTF-8 scalar becomes the
// private-use scalar U+10FF00 + byte, and `encode` turns such a scalar back
// into the single byte. A genuine U+10FFxx in the input is escaped the same
// way (each of its four bytes becomes an escape scalar), so nothing collides.
// Passes that scan `Array(s.utf8)` for ASCII tokens are unaffected: an
// escape scalar's UTF-8 form contains no ASCII byte.
public enum ByteText {
    static let escapeBase: UInt32 = 0x10FF00

    /// The bytes as a `String`, every byte kept (see the contract above).
    public static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        // Fast path (most C source): ASCII decodes to itself.  The scalar loop
        // below was a sixth of `coroc translate`'s time on gen_big.sh's file;
        // the test and copy run on the contiguous bytes, because this generic
        // function is not specialized for its callers in other modules and a
        // generic `contains` (an iterator call per byte) was 10% of it again.
        if let ascii = bytes.withContiguousStorageIfAvailable({ decodeASCII($0) }) {
            if let ascii { return ascii }
        } else if !bytes.contains(where: { $0 >= 0x80 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        let b = Array(bytes)
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < b.count {
            if let (scalar, length) = scalar(in: b, at: i), scalar.value < escapeBase {
                scalars.append(scalar)
                i += length
            } else if let (_, length) = scalar(in: b, at: i) {
                for k in i..<(i + length) { scalars.append(Unicode.Scalar(escapeBase + UInt32(b[k]))!) }
                i += length
            } else {
                scalars.append(Unicode.Scalar(escapeBase + UInt32(b[i]))!)
                i += 1
            }
        }
        return String(scalars)
    }

    /// The bytes as a `String` when they are all ASCII, else nil.
    public static func decodeASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var high: UInt8 = 0
        for b in bytes { high |= b }
        return high < 0x80 ? String(decoding: bytes, as: UTF8.self) : nil
    }

    /// The bytes `decode` was given: escape scalars become their byte again.
    public static func encode(_ text: String) -> [UInt8] {
        // Every escape scalar (U+10FF00...) is F4 8F BC-BF xx in UTF-8; text
        // without a byte F4 holds none, and its bytes are its UTF-8 form.
        if !text.utf8.contains(0xF4) { return Array(text.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.value >= escapeBase {
                out.append(UInt8(scalar.value - escapeBase))
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        return out
    }

    /// The valid UTF-8 scalar starting at `i` and its length, or nil when the
    /// byte there does not start one (bad lead byte, truncated or overlong
    /// sequence, surrogate, beyond U+10FFFF).
    private static func scalar(in b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let lead = b[i]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length: Int, minimum: UInt32
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard i + length <= b.count else { return nil }
        for k in 1..<length {
            let c = b[i + k]
            guard c & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(c & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}
