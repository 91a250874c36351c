// Diagnostics with inline markers, as swift-format tests its rules: the input
// carries 1️⃣, 2️⃣, ... where each finding must land; the expectation names the
// marker and the message.
import Foundation
import CorocCore
import Testing
@testable import CorocSwift

private let markers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣"]

/// Removes the markers from `text` and returns the clean text and each marker's line:column (bytes, 1-based).
private func stripMarkers(_ text: String) -> (String, [String: (Int, Int)]) {
    var clean = ""
    var positions: [String: (Int, Int)] = [:]
    var line = 1
    var column = 1
    var rest = Substring(text)
    outer: while let character = rest.first {
        for marker in markers where rest.hasPrefix(marker) {
            positions[marker] = (line, column)
            rest = rest.dropFirst(marker.count)
            continue outer
        }
        clean.append(character)
        if character == "\n" { line += 1; column = 1 } else { column += String(character).utf8.count }
        rest = rest.dropFirst()
    }
    return (clean, positions)
}

private func expectDiagnostics(_ marked: String, _ expected: [(String, String)],
                               sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let (text, positions) = stripMarkers(marked)
    do {
        let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless))
            .translate(source: text, fileName: "input.coroswift")
        Issue.record("expected diagnostics, got output:\n\(translation.output)", sourceLocation: sourceLocation)
    } catch {
        let found = error.diagnostics
        #expect(found.count == expected.count, "\(found.map { $0.rendered() })", sourceLocation: sourceLocation)
        for (marker, message) in expected {
            guard let (line, column) = positions[marker] else {
                Issue.record("marker \(marker) not in input", sourceLocation: sourceLocation)
                continue
            }
            let match = found.first { $0.location?.line == line && $0.location?.column == column }
            #expect(match?.message == message, "at \(marker) \(line):\(column); found \(found.map { $0.rendered() })",
                    sourceLocation: sourceLocation)
            #expect(match?.location?.file == "input.coroswift", sourceLocation: sourceLocation)
            #expect(match?.severity == .error, sourceLocation: sourceLocation)
        }
    }
}

@Test func localLiveAcrossASuspendNeedsAVisibleType() {
    expectDiagnostics("""
        func compute() -> Int { 42 }
        @coroutine func f() {
            let 1️⃣x = compute()
            coro_yield()
            print(x)
        }
        """, [("1️⃣", SwiftTranslator.Messages.invisibleType("x"))])
}

/// `Array("abc".utf8)` once became a frame field of type bare `Array`, which
/// swiftc rejects ("reference to generic type 'Array' requires arguments").
@Test func genericConstructorWithoutArgumentsNeedsAnAnnotation() {
    expectDiagnostics("""
        struct Box<T> { var value: T }
        @coroutine func f() {
            let 1️⃣text = Array("abc".utf8)
            var 2️⃣seen = Set([1, 2])
            let 3️⃣box = Box(value: 1)
            let 4️⃣table = Dictionary(uniqueKeysWithValues: [(1, "a")])
            coro_yield()
            seen.insert(3)
            print(text.count, seen.count, box.value, table.count)
        }
        """, [
            ("1️⃣", SwiftTranslator.Messages.genericConstructor("text", "Array")),
            ("2️⃣", SwiftTranslator.Messages.genericConstructor("seen", "Set")),
            ("3️⃣", SwiftTranslator.Messages.genericConstructor("box", "Box")),
            ("4️⃣", SwiftTranslator.Messages.genericConstructor("table", "Dictionary")),
        ])
}

@Test func genericConstructorWithItsArgumentsIsAFrameField() throws {
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless)).translate(source: """
        @coroutine func f() {
            let text = Array<UInt8>("abc".utf8)
            let bytes = [UInt8]("de".utf8)
            coro_yield()
            print(text.count + bytes.count)
        }
        """, fileName: "ok.coroswift")
    #expect(translation.output.contains("var text: Array<UInt8>"))
    #expect(translation.output.contains("var bytes: [UInt8]"))
}

@Test func localUsedOnlyBeforeTheSuspendNeedsNoType() throws {
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless)).translate(source: """
        func compute() -> Int { 42 }
        @coroutine func f() {
            let x = compute()
            print(x)
            coro_yield()
        }
        """, fileName: "ok.coroswift")
    #expect(translation.output.contains("let x = compute()"))
    #expect(!translation.output.contains("var x:"))
}

/// A variadic parameter cannot be forwarded by the frame's init or the entry
/// points (Swift has no splat), so it is refused, in both modes.
@Test(arguments: TranslationMode.allCases)
func variadicParameterIsRejected(_ mode: TranslationMode) {
    do {
        _ = try SwiftTranslator(options: SwiftTranslateOptions(mode: mode))
            .translate(source: "@coroutine func total(_ xs: Int...) -> Int { coro_yield(); return 0 }", fileName: "v.coroswift")
        Issue.record("a variadic coroutine parameter was accepted")
    } catch {
        #expect(error.diagnostics.map(\.message) == [CoroutineFinder.Messages.variadicParameter("xs")])
        #expect(error.diagnostics.first?.rendered().hasPrefix("v.coroswift:1:32: error: ") == true,
                "\(error.diagnostics.map { $0.rendered() })")
    }
}

/// `try? f() + 1` around an await: the error would escape through the rest of
/// the expression, so it is refused (`try? f()` alone becomes nil on error).
@Test func optionalTryOverMoreThanTheAwaitIsRejected() {
    expectDiagnostics("""
        @coroutine func f() throws -> Int { coro_yield(); return 1 }
        @coroutine func g() {
            let r = 1️⃣try? f() + 1
            print(r as Any)
        }
        """, [("1️⃣", Lower.Messages.wideOptionalTry("?"))])
}

@Test func asyncInoutAndGenericCoroutinesAreRejected() {
    expectDiagnostics("""
        @coroutine func a() 1️⃣async {}
        @coroutine func b(x: 2️⃣inout Int) {}
        @coroutine func c3️⃣<T>(x: T) {}
        """, [
            ("1️⃣", CoroutineFinder.Messages.async("a")),
            ("2️⃣", CoroutineFinder.Messages.inoutParameter("x")),
            ("3️⃣", CoroutineFinder.Messages.generic("c")),
        ])
}

/// Instance-method coroutines: implicit member accesses are named with the
/// `self.` to write; methods that could be overridden, `mutating` ones,
/// actors' and those of generic types are rejected.
@Test func instanceMethodCoroutinesNeedExplicitSelf() {
    expectDiagnostics("""
        final class Counter {
            var count = 0
            func bump() { count += 1 }
            @coroutine func run(_ limit: Int) {
                let local = 1
                while 1️⃣count < limit {
                    coro_yield()
                    2️⃣bump()
                    self.count += local
                }
            }
        }
        """, [
            ("1️⃣", CoroutineFinder.Messages.implicitMember("count", "Counter")),
            ("2️⃣", CoroutineFinder.Messages.implicitMember("bump", "Counter")),
        ])
}

@Test func overridableMutatingAndActorMethodCoroutinesAreRejected() {
    expectDiagnostics("""
        class Base {
            @coroutine func 1️⃣run() {}
        }
        struct S {
            @coroutine 2️⃣mutating func step() {}
        }
        actor A {
            @coroutine func 3️⃣work() {}
        }
        struct G<T> {
            @coroutine static func 4️⃣make() {}
        }
        extension G {
            @coroutine func 5️⃣use() {}
        }
        """, [
            ("1️⃣", CoroutineFinder.Messages.overridable("run", "Base")),
            ("2️⃣", CoroutineFinder.Messages.mutating("step")),
            ("3️⃣", CoroutineFinder.Messages.insideType("work")),
            ("4️⃣", CoroutineFinder.Messages.genericOwner("make", "G")),
            ("5️⃣", CoroutineFinder.Messages.genericOwner("use", "G")),
        ])
}

@Test func instanceMethodCoroutineTakesItsReceiverAsAFrameParameter() throws {
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless)).translate(source: """
        final class Box {
            var value = 0
            @coroutine func add(_ n: Int) -> Int {
                coro_yield()
                self.value += n
                return self.value
            }
        }
        @coroutine func use(_ box: Box) -> Int {
            return box.add(2)
        }
        """, fileName: "m.coroswift")
    #expect(translation.output.contains("co_self.value += n"))
    #expect(translation.output.contains("Box.add_Frame(co_self: box, 2)"))
    #expect(translation.output.contains("func add_go(_ n: Int) {"))
}

@Test func awaitInsideAClosureIsRejected() {
    expectDiagnostics("""
        @coroutine func g() -> Int { 1 }
        @coroutine func f() {
            let work = { 1️⃣g() }
            _ = work
        }
        """, [("1️⃣", Lower.Messages.awaitInClosure("g"))])
}

/// && / || / ?: around a suspend point are lowered into states (the
/// shortcircuit fixture checks the behaviour); `??` still is not, and a `?:`
/// whose value type coroc cannot see needs an annotation.
@Test func suspendRightOfNilCoalescingIsRejected() {
    expectDiagnostics("""
        func compute() -> Int { 1 }
        @coroutine func g() -> Int { 2 }
        @coroutine func f(_ fd: Int32, _ cached: Int?, _ ok: Bool) {
            var byte: UInt8 = 0
            let got = cached ?? 1️⃣read(fd, &byte, 1)
            let other = ok 2️⃣? compute() : g() + compute()
            print(got, other)
        }
        """, [
            ("1️⃣", Lower.Messages.conditionalSuspend("read", "'??'")),
            ("2️⃣", Lower.Messages.ternaryType),
        ])
}

@Test func callBeforeAShortCircuitWithASuspendIsRejected() {
    expectDiagnostics("""
        func log(_ n: Int) -> Int { n }
        @coroutine func g() -> Bool { true }
        @coroutine func f(_ ok: Bool) {
            let a = (1️⃣log(1), ok && g())
            print(a)
        }
        """, [("1️⃣", Lower.Messages.callBeforeSuspend("g"))])
}

@Test func tupleLoopPatternsNeedAVisibleElementTypeAndAFlatPattern() {
    expectDiagnostics("""
        func items() -> [(Int, Int)] { [] }
        @coroutine func f(_ nested: [(Int, (Int, Int))], _ triples: [(Int, Int, Int)]) {
            for 1️⃣(a, b) in items() {
                coro_yield()
                print(a, b)
            }
            for 2️⃣(a, (b, c)) in nested {
                coro_yield()
                print(a, b, c)
            }
            for 3️⃣(a, b) in triples {
                coro_yield()
                print(a, b)
            }
        }
        """, [
            ("1️⃣", Lower.Messages.forElementType("(a, b)")),
            ("2️⃣", Lower.Messages.forPattern),
            ("3️⃣", Lower.Messages.forTupleType("(a, b)", "(Int, Int, Int)")),
        ])
}

@Test func forLoopOverAnOpaqueSequenceNeedsTheElementType() {
    expectDiagnostics("""
        func items() -> [String] { [] }
        @coroutine func f() {
            for 1️⃣item in items() {
                coro_yield()
                print(item)
            }
        }
        """, [("1️⃣", Lower.Messages.forElementType("item"))])
}

@Test func coroutineCalledOutsideACoroutineIsRejected() {
    expectDiagnostics("""
        @coroutine func f() {}
        1️⃣f()
        """, [("1️⃣", TopLevelAssembly.Messages.callOutsideCoroutine("f"))])
}

@Test func suspendInsideDeferIsRejected() {
    expectDiagnostics("""
        @coroutine func f() {
            1️⃣defer { coro_yield() }
            print(1)
        }
        """, [("1️⃣", Lower.Messages.suspendInDefer)])
}

@Test func diagnosticsRenderLikeClang() {
    do {
        _ = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless))
            .translate(source: "@coroutine func a() async {}\n", fileName: "x.coroswift")
        Issue.record("expected an error")
    } catch {
        #expect(error.diagnostics.first?.rendered() == """
            x.coroswift:1:21: error: \(CoroutineFinder.Messages.async("a"))
            @coroutine func a() async {}
                                ^

            """)
    }
}

@Test func escapingClosureCapturingAFrameFieldIsRejected() {
    expectDiagnostics("""
        @coroutine func f(_ n: Int) {
            var count: Int = n
            coro_yield()
            let report = 1️⃣{ print(count) }
            count += 1
            report()
        }
        """, [("1️⃣", Lower.Messages.escapingCapture("count"))])
}

/// `go { ... }` with a body other than one coroutine call runs the closure as a
/// new (stackful) coroutine: it escapes, so capturing a frame field is the same
/// error (it was swiftc's "reference to property 'done' in closure requires
/// explicit use of 'self'" in the output).
@Test func goClosureCapturingAFrameFieldIsRejected() {
    expectDiagnostics("""
        @coroutine func f() {
            let done = WaitGroup()
            done.add(1)
            go 1️⃣{
                print("in a closure coroutine")
                done.done()
            }
            done.wait()
        }
        """, [("1️⃣", Lower.Messages.escapingCapture("done"))])
}

@Test func closurePassedToACallMayReadFrameFields() throws {
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless)).translate(source: """
        @coroutine func f(_ values: [Int]) -> Int {
            let offset: Int = 3
            coro_yield()
            return values.map { $0 + offset }.reduce(0, +)
        }
        """, fileName: "ok.coroswift")
    #expect(translation.output.contains("values.map { $0 + offset }"))
}

@Test func localShadowingAParameterIsRejected() {
    expectDiagnostics("""
        @coroutine func f(_ limit: Int?) {
            if let 1️⃣limit = limit {
                coro_yield()
                print(limit)
            }
        }
        """, [("1️⃣", Lower.Messages.shadowsParameter("limit"))])
}

/// Errors the Swift compiler finds in statements kept as written point at the
/// .coroswift line, through the #sourceLocation directives of the output.
@Test func compilerErrorsInKeptStatementsPointAtTheInput() throws {
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless)).translate(source: """
        @coroutine func f() {
            coro_yield()
            let x: Int = undefinedName
            print(x)
        }
        """, fileName: "mapped.coroswift")
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coroc-swift-map-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("main.swift")
    try translation.output.write(to: file, atomically: true, encoding: .utf8)
    let check = FixtureSupport.run(FixtureSupport.swiftc(), ["-typecheck", "-I",
        FixtureSupport.repositoryRoot.appendingPathComponent("Runtime/include").path,
        "-I", try FixtureSupport.supportModule.get(), file.path])
    try? FileManager.default.removeItem(at: folder)
    #expect(check.status != 0)
    #expect(check.stderr.contains("mapped.coroswift:3:"), "\(check.stderr)")
}

@Test func callsThatWouldRunOutOfOrderOrTwiceAreRejected() {
    expectDiagnostics("""
        func next() -> Int { 1 }
        func log(_ n: Int) -> Int { n }
        @coroutine func f(_ fd: Int32) {
            var buffer: [UInt8] = [0, 0, 0, 0]
            let a = 1️⃣log(1) + read(fd, &buffer, 4)
            let b = read(fd, &buffer, 2️⃣next())
            print(a, b, buffer.count)
        }
        """, [
            ("1️⃣", Lower.Messages.callBeforeSuspend("read")),
            ("2️⃣", Lower.Messages.callInSuspendArguments("read")),
        ])
}

@Test func localFunctionUsedAfterASuspendIsRejected() {
    expectDiagnostics("""
        @coroutine func f() {
            1️⃣func twice(_ x: Int) -> Int { x * 2 }
            print(twice(1))
            coro_yield()
            print(twice(2))
        }
        """, [("1️⃣", SwiftTranslator.Messages.localDeclaration("twice"))])
}

@Test func suspendInsideIfConfigIsRejected() {
    expectDiagnostics("""
        @coroutine func f() {
            1️⃣#if DEBUG
            coro_yield()
            #endif
        }
        """, [("1️⃣", Lower.Messages.suspendInIfConfig)])
}

@Test func coroMainInsideACoroutineIsRejected() {
    expectDiagnostics("""
        @coroutine func g() {}
        @coroutine func f() {
            1️⃣coro_main(g())
        }
        """, [("1️⃣", Lower.Messages.mainInsideCoroutine)])
}

/// Without errors that can leave the coroutine, a defer needs no state of its
/// own, so a value declared before it and used before the next suspend point
/// stays a local and needs no visible type.
@Test func deferDoesNotForceLocalsIntoTheFrame() throws {
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless)).translate(source: """
        func compute() -> Int { 1 }
        @coroutine func f() {
            let a = compute()
            defer { print("bye") }
            print(a)
            coro_yield()
        }
        """, fileName: "d.coroswift")
    #expect(translation.output.contains("let a = compute()"))
}

@Test func syntaxErrorsStopTheTranslation() {
    expectDiagnostics("""
        @coroutine func f() {
            let x = 1️⃣
        }
        """, [("1️⃣", "expected expression in variable")])
}
