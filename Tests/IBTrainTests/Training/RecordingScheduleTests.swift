import Testing

@testable import IBTrain

@Suite("Recording schedule")
struct RecordingScheduleTests {
  @Test func logSpacedMatchesTheIDNNsCode() {
    // numpy: unique(logspace(0, log2(8000), 400, dtype=int, base=2)) - 1
    let e = RecordingSchedule.logSpaced(count: 400).epochs(totalEpochs: 8000)
    #expect(e.count == 274)
    #expect(Array(e.prefix(20)) == Array(0..<20))
    #expect(Array(e.suffix(5)) == [7309, 7476, 7646, 7820, 7999])
    #expect(zip(e, e.dropFirst()).allSatisfy { $0 < $1 })
  }

  @Test func everyN() {
    #expect(RecordingSchedule.every(250).epochs(totalEpochs: 1000) == [0, 250, 500, 750, 1000])
    #expect(RecordingSchedule.every(3).epochs(totalEpochs: 7) == [0, 3, 6])
    #expect(RecordingSchedule.none.epochs(totalEpochs: 10).isEmpty)
  }
}
