// The type rule on its own: which initializers have a type coroc can see.
import SwiftParser
import SwiftSyntax
import Testing
@testable import CorocSwift

private func type(of text: String, known: [String: String] = [:]) -> String? {
    let file = Parser.parse(source: "let x = \(text)")
    let binding = file.statements.first?.item.as(VariableDeclSyntax.self)?.bindings.first
    return binding?.initializer.map { TypeRule.visibleType(of: $0.value, known: known) } ?? nil
}

@Test func literalsHaveTheirDefaultTypes() {
    #expect(type(of: "0") == "Int")
    #expect(type(of: "-3") == "Int")
    #expect(type(of: "1.5") == "Double")
    #expect(type(of: "\"s\\(1)\"") == "String")
    #expect(type(of: "true") == "Bool")
    #expect(type(of: "[1, 2]") == "[Int]")
    #expect(type(of: "[1, \"a\"]") == nil)
}

@Test func constructorsAndConversionsNameTheirType() {
    #expect(type(of: "Foo(bar: 1)") == "Foo")
    #expect(type(of: "Foo.init()") == "Foo")
    #expect(type(of: "[UInt8](repeating: 0, count: 4)") == "[UInt8]")
    #expect(type(of: "socklen_t(16)") == "socklen_t")
    #expect(type(of: "Array<Int>(repeating: 0, count: 2)") == "Array<Int>")
    #expect(type(of: "y as Double") == "Double")
}

@Test func failableNumberParsingIsOptional() {
    #expect(type(of: "Int(\"42\")") == "Int?")
    #expect(type(of: "Int(text)", known: ["text": "String"]) == "Int?")
    #expect(type(of: "Int(exactly: 2.0)") == "Int?")
    #expect(type(of: "Int(n)", known: ["n": "Int32"]) == "Int")
}

@Test func copiesAndKnownCallsUseWhatIsKnown() {
    #expect(type(of: "n", known: ["n": "UInt16"]) == "UInt16")
    #expect(type(of: "(n)", known: ["n": "UInt16"]) == "UInt16")
    #expect(type(of: "coro_chan_new(8, 0)") == "OpaquePointer?")
    #expect(type(of: "compute()") == nil)
    #expect(type(of: "a + b", known: ["a": "Int", "b": "Int"]) == nil)
}

@Test func loopIteratorsOfRangesStridesAndArrays() {
    func iterator(_ text: String, annotated: String? = nil, known: [String: String] = [:]) -> String? {
        let file = Parser.parse(source: "for x in \(text) {}")
        guard let loop = file.statements.first?.item.as(ForStmtSyntax.self) else { return nil }
        return TypeRule.iteratorType(of: loop.sequence, annotated: annotated, known: known)?.iterator
    }
    // An unknown bound: the literal's default type; swiftc reports a mismatch at the line.
    #expect(iterator("0..<n") == "Range<Int>.Iterator")
    #expect(iterator("0..<3") == "Range<Int>.Iterator")
    #expect(iterator("1...n", known: ["n": "UInt8"]) == "ClosedRange<UInt8>.Iterator")
    #expect(iterator("0..<n", known: ["n": "Int32"]) == "Range<Int32>.Iterator")
    #expect(iterator("a..<b", known: ["b": "Int64"]) == "Range<Int64>.Iterator")
    #expect(iterator("stride(from: 10, to: 0, by: -2)") == "StrideTo<Int>.Iterator")
    #expect(iterator("stride(from: 0.0, through: 1.0, by: 0.5)") == "StrideThrough<Double>.Iterator")
    #expect(iterator("values", known: ["values": "[String]"]) == "IndexingIterator<[String]>")
    #expect(iterator("words()", annotated: "Substring") == "AnyIterator<Substring>")
    #expect(iterator("words()") == nil)
}

/// A generic type constructed without its arguments names no type: a frame
/// field of bare `Array` would not compile.  With the arguments spelled it does.
@Test func genericConstructorsWithoutArgumentsAreNotVisible() {
    #expect(type(of: "Array(\"abc\".utf8)") == nil)
    #expect(type(of: "Set([1, 2])") == nil)
    #expect(type(of: "Dictionary(uniqueKeysWithValues: pairs)") == nil)
    #expect(type(of: "Optional(compute())") == nil)
    #expect(type(of: "Array<UInt8>(\"abc\".utf8)") == "Array<UInt8>")
    #expect(type(of: "[UInt8](\"abc\".utf8)") == "[UInt8]")
    #expect(type(of: "Set<Int>([1, 2])") == "Set<Int>")
    #expect(type(of: "Optional(n)", known: ["n": "Int32"]) == "Int32?")
    #expect(type(of: "Optional(3)") == "Int?")
    func expression(_ text: String) -> ExprSyntax? {
        Parser.parse(source: "let x = \(text)").statements.first?.item.as(VariableDeclSyntax.self)?
            .bindings.first?.initializer?.value
    }
    #expect(TypeRule.visibleType(of: expression("Box(1)")!, known: [:], generics: ["Box"]) == nil)
    #expect(TypeRule.visibleType(of: expression("Box(1)")!, known: [:]) == "Box")
    #expect(TypeRule.genericConstructor(expression("Array(\"abc\".utf8)")!) == "Array")
    #expect(TypeRule.genericConstructor(expression("Foo(1)")!) == nil)
}

/// The typed API (TypedAPITypes): a channel spelled with its element type is
/// visible, its select-case makers have visible types, a bare `Channel(...)`
/// leaves the element to inference; the receivers a coroutine's typed calls are
/// made on are its parameters and locals of those types.
@Test func typedAPITypesAreVisible() throws {
    #expect(type(of: "Channel<Int>(capacity: 2)") == "Channel<Int>")
    #expect(type(of: "Channel(capacity: 2)") == nil)
    let bare = Parser.parse(source: "let x = Channel(capacity: 2)").statements.first?.item.as(VariableDeclSyntax.self)?
        .bindings.first?.initializer?.value
    #expect(bare.flatMap { TypeRule.genericConstructor($0) } == "Channel")
    #expect(type(of: "WaitGroup()") == "WaitGroup")
    let known = ["ch": "Channel<[String]>", "n": "Int"]
    #expect(type(of: "ch.receiving()", known: known) == "Receiving<[String]>")
    #expect(type(of: "ch.sending([\"a\"])", known: known) == "Sending<[String]>")
    #expect(type(of: "ch.close()", known: known) == "Bool")
    #expect(type(of: "n.receiving()", known: known) == nil)
    #expect(TypedAPITypes.channelElement("CoroSwift.Channel<Int?>") == "Int?")
    #expect(TypedAPITypes.optional("() -> Void") == "(() -> Void)?")

    let file = Parser.parse(source: """
        @coroutine func f(_ inbox: Channel<Int>, _ n: Int) {
            let done = WaitGroup()
            let lock: CoroMutex = CoroMutex()
            let copy = inbox
            let other = Box()
        }
        """)
    let source = SourceContext(fileName: "t.coroswift", tree: file, text: file.description)
    let signature = try #require(CoroutineFinder(source: source).find(in: file).coroutines.first)
    #expect(TypedAPITypes.receivers(of: signature) == ["inbox": "Channel<Int>", "done": "WaitGroup",
                                                       "lock": "CoroMutex", "copy": "Channel<Int>"])
}
