// Plain Swift next to the annotated main.coroswift: compiled as written.
// (SwiftPM also needs one ordinary source file to see the target at all.)
let sampleLine = "the quick brown fox jumps over the lazy dog\n"
