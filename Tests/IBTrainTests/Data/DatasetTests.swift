import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

@testable import IBTrain

@Suite("Data sets")
struct DatasetTests {
  @Test func ib12MatchesTheAuthorsData() throws {
    let d = try BundledDataset.ib12.load(directory: notebooksData)
    #expect(d.inputs.rows == 4096 && d.inputs.columns == 12)
    #expect(d.labels.reduce(0, +) == 2118)  // P(y=1) = 0.517, counted independently with numpy
    #expect(d.trainIndices == Array(0..<3277) && d.testIndices == Array(3277..<4096))
    // Row i holds the binary digits of i, most significant first (file order).
    for i in [0, 1, 2049, 4095] {
      let bits = d.inputs.row(i).map { Int($0) }
      #expect(bits.reduce(0) { $0 * 2 + $1 } == i)
    }
    for variant in [BundledDataset.ib12G1, .ib12G2] {
      let v = try variant.load(directory: notebooksData)
      #expect(v.inputs == d.inputs && v.labels != d.labels)
    }
  }

  @Test func mnist10kLoadsThroughZlibWithTheDocumentedSplit() throws {
    let d = try BundledDataset.mnist10k.load(directory: notebooksData)
    #expect(d.inputs.rows == 10_000 && d.inputs.columns == 784 && d.classCount == 10)
    #expect(Array(d.labels.prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])  // LeCun's t10k order
    #expect(d.trainIndices.count == 8000 && d.testIndices.count == 2000)
    #expect(Set(d.trainIndices).isDisjoint(with: d.testIndices))
    // Held-out class counts, from numpy: bincount(labels[4::5]).
    var counts = [Int](repeating: 0, count: 10)
    for i in d.testIndices { counts[d.labels[i]] += 1 }
    #expect(counts == [179, 253, 218, 189, 192, 154, 187, 206, 216, 206])
    #expect(d.inputs.elements.min() == 0 && d.inputs.elements.max() == 1)
  }

  @Test func idxErrorsNameFileAndOffset() throws {
    let dir = try Scratch.directory("ibtrain")
    defer { try? FileManager.default.removeItem(at: dir) }
    let header: [UInt8] = [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]
    #expect(try IDXArray.parse(header + [1, 2, 3, 4, 5, 6], file: "ok").shape == [2, 3])

    func failure(_ bytes: [UInt8]) -> String {
      do {
        _ = try IDXArray.parse(bytes, file: "x.idx")
        return "no error"
      } catch { return String(describing: error) }
    }
    #expect(failure([1, 0, 8, 1]).contains("x.idx: offset 0"))
    #expect(failure([0, 0, 0x0D, 1, 0, 0, 0, 1, 0]).contains("offset 2: expected type code 0x08"))
    #expect(failure(header + [1, 2, 3]).contains("offset 12: expected 6 data bytes"))
    #expect(failure([0, 0, 8, 1, 0xFF, 0xFF, 0xFF, 0xFF]).contains("offset 4"))

    // A gzip stream cut short is reported, not silently truncated.
    let full = try Data(contentsOf: URL(fileURLWithPath: notebooksData + "/t10k-labels-idx1-ubyte.gz"))
    let cut = dir.appendingPathComponent("cut.gz")
    try full.prefix(full.count / 2).write(to: cut)
    #expect(throws: DatasetError.self) { try IDXArray.load(path: cut.path) }
    #expect(throws: DatasetError.self) { try IDXArray.load(path: dir.appendingPathComponent("missing.gz").path) }
  }

  @Test func csvErrorsNameFileLineAndColumn() throws {
    let dir = try Scratch.directory("ibtrain")
    defer { try? FileManager.default.removeItem(at: dir) }
    func failure(_ text: String) throws -> String {
      let url = dir.appendingPathComponent("t.csv")
      try text.write(to: url, atomically: true, encoding: .utf8)
      do {
        _ = try CSVDataset.load(path: url.path)
        return "no error"
      } catch { return String(describing: error) }
    }
    #expect(try failure("a,b,y\n1,2,0\n1,x,1\n").hasSuffix("t.csv: line 3, column b: expected a finite number, found 'x'"))
    #expect(try failure("a,y\n1,0\n1,2,3\n").contains("line 3: expected 2 fields, found 3"))
    #expect(try failure("a,y\n1,-1\n").contains("column y: expected a non-negative integer label"))
    #expect(try failure("a,y\n").contains("at least one data row"))
    let (x, y, names) = try CSVDataset.load(path: { let u = dir.appendingPathComponent("g.csv"); try "a,b,y\r\n1,2.5,1\r\n".write(to: u, atomically: true, encoding: .utf8); return u.path }())
    #expect(x.elements == [1, 2.5] && y == [1] && names == ["a", "b"])
  }

  @Test func gaussianMixtureIsFixedBySeed() throws {
    let m = GaussianMixture(classes: 3, dimension: 4, samplesPerClass: 50)
    let a = try m.sample(seed: 5)
    #expect(try m.sample(seed: 5).inputs == a.inputs)
    #expect(try m.sample(seed: 6).inputs != a.inputs)
    #expect(a.count == 150 && a.trainIndices.count == 120)
    for c in 0..<3 { #expect(a.labels.filter { $0 == c }.count == 50) }
  }
}
