// The suspend-crossing analysis on its own, without libclang.
@testable import CorocC
import Testing

@Test func valueReadAfterSuspendIsLive() {
    let l = Liveness(events: [.write("a"), .write("b"), .suspend(0), .read("a"), .write("b"), .read("b")])
    #expect(l.liveAcross(suspend: 0) == ["a"])
}

@Test func overwrittenBeforeReadIsNotLive() {
    let l = Liveness(events: [.write("x"), .suspend(0), .write("x"), .read("x")])
    #expect(l.liveAcross(suspend: 0).isEmpty)
}

@Test func loopCarriesValuesBackToTheTop() {
    // x is read at the top of the loop, written after the suspend point: the
    // value read in the next iteration crosses the suspend point of this one.
    let l = Liveness(events: [.write("x"), .write("y"), .loopStart, .read("x"), .suspend(0), .write("x"), .loopEnd, .read("y")])
    #expect(l.liveAcross(suspend: 0) == ["y"])
    let m = Liveness(events: [.write("x"), .loopStart, .suspend(0), .read("x"), .write("x"), .loopEnd])
    #expect(m.liveAcross(suspend: 0) == ["x"])
}

@Test func loopMayRunZeroTimes() {
    let l = Liveness(events: [.write("v"), .suspend(0), .loopStart, .write("v"), .loopEnd, .read("v")])
    #expect(l.liveAcross(suspend: 0) == ["v"])
}

/// Lower saves at a suspension only the register locals live across it, and
/// reloads the same ones when resuming there.
@Test func onlyLiveRegisterLocalsAreSaved() throws {
    let output = try translate(Paths.input("behaviour", "register_liveness.c")).output
    let lines = output.split(separator: "\n")
    // State 1 is the first coro_yield(): `before` is dead there, `n` is live.
    let firstYield = try #require(lines.first { $0.contains("hdr.state = 1;") })
    #expect(!firstYield.contains("before_r;"), "\(firstYield)")
    #expect(firstYield.contains("= n_r;"), "\(firstYield)")
    let resume = try #require(lines.first { $0.contains("case 1:") })
    #expect(!resume.contains("before_r ="), "\(resume)")
    #expect(resume.contains("n_r ="), "\(resume)")
    // Inside the loop, `last` is live (read by the next iteration).
    let inLoop = try #require(lines.first { $0.contains("hdr.state = 3;") })
    #expect(inLoop.contains("= last_r;"), "\(inLoop)")
}
