import Foundation
import IBPlane

#if canImport(Glibc)
  import Glibc
#endif

/// Streams every snapshot of a ~1 GB recording through the reader — `Recording.layer(_:snapshot:)`
/// (CRC-32 check, decoding into new `Matrix<Float>`s, NaN/Inf scan) and
/// `Recording.forEachSnapshot` (same checks, one reused buffer) — and compares it with a plain sequential
/// `read(2)` of the same file in 8 MiB chunks, both on a warm page cache, in one run. Also
/// times opening the file (header + record index). Goal (issue 3): ratio ≥ 0.5, open < 10 ms.
///
/// Usage: `ibplane-bench recording-read [GiB=1] [storage=float32]`.
enum RecordingReadBenchmark {
  static func run(_ arguments: [String]) throws {
    let gib = arguments.first.flatMap(Double.init) ?? 1
    let storage = arguments.dropFirst().first.flatMap(StorageType.init(rawValue:)) ?? .float32
    let n = 10_000
    let widths = [256, 128, 64, 32, 16, 10]
    let specs = widths.enumerated().map { LayerSpec(name: "l\($0)", width: $1) }
    let perSnapshot = n * widths.reduce(0, +) * storage.byteWidth
    let snapshots = max(1, Int(gib * Double(1 << 30) / Double(perSnapshot)))
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ibplane-bench-\(getpid()).bin")
    defer { try? FileManager.default.removeItem(at: url) }

    let rng = RandomSource(seed: 42)
    let layers = try specs.map { s in
      try Matrix<Float>(rows: n, columns: s.width, elements: (0..<(n * s.width)).map { _ in Float(rng.normal()) })
    }
    let writeStart = Date()
    let recorder = try Recorder(
      creating: url, layers: specs, inputs: nil, labels: .classes((0..<n).map { $0 % 10 }, classCount: 10), storage: storage)
    for s in 0..<snapshots { try recorder.record(epoch: s, step: s, layers: layers, metrics: ["loss": 1 / Double(s + 1)]) }
    let writeSeconds = Date().timeIntervalSince(writeStart)
    let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0

    /// (wall seconds, CPU seconds of the whole process — every decoding worker —, user + system)
    /// of `body`. Wall time is the throughput a user sees; CPU time shows what it costs (the
    /// streaming reader decodes on two workers, so its CPU time exceeds its wall time).
    func timed<R>(_ body: () throws -> R) rethrows -> (Double, Double, R) {
      func cpu() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
      }
      let w0 = DispatchTime.now().uptimeNanoseconds
      let c0 = cpu()
      let r = try body()
      return (Double(DispatchTime.now().uptimeNanoseconds - w0) / 1e9, cpu() - c0, r)
    }

    func plainRead() -> UInt64 {
      let fd = open(url.path, O_RDONLY)
      defer { close(fd) }
      let chunk = 8 << 20
      let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64)
      defer { buffer.deallocate() }
      var total: UInt64 = 0
      var checksum: UInt64 = 0
      while true {
        let got = read(fd, buffer, chunk)
        if got <= 0 { break }
        total += UInt64(got)
        checksum &+= UInt64(buffer.load(fromByteOffset: got - 1, as: UInt8.self))
      }
      return checksum &+ total
    }

    func stream() throws -> Float {
      let r = try Recording(contentsOf: url)
      r.adviseSequentialRead()
      var sink: Float = 0
      for s in r.snapshots.indices {
        for l in r.layers.indices { sink += try r.layer(l, snapshot: s).elements[l] }
      }
      return sink
    }

    func streamViews() throws -> Float {
      let r = try Recording(contentsOf: url)
      var sink: Float = 0
      try r.forEachSnapshot { view in
        for (l, layer) in view.layers.enumerated() { sink += layer[l] }
      }
      return sink
    }

    _ = plainRead()  // warm the page cache
    var plainWall: [Double] = [], plainCPU: [Double] = [], streamWall: [Double] = [], streamCPU: [Double] = []
    var viewWall: [Double] = [], viewCPU: [Double] = []
    var sinks: Float = 0
    for _ in 0..<5 {
      let (pw, pc, _) = timed { plainRead() }
      let (sw, sc, sink) = try timed { try stream() }
      let (vw, vc, viewSink) = try timed { try streamViews() }
      viewWall.append(vw)
      viewCPU.append(vc)
      precondition(viewSink == sink, "the two read paths disagree")
      plainWall.append(pw)
      plainCPU.append(pc)
      streamWall.append(sw)
      streamCPU.append(sc)
      sinks += sink
    }
    var opens: [Double] = []
    for _ in 0..<21 {
      let start = DispatchTime.now().uptimeNanoseconds
      let r = try Recording(contentsOf: url)
      opens.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
      precondition(r.snapshots.count == snapshots)
    }
    func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
    let gb = Double(size) / 1e9
    print("recording-read: \(snapshots) snapshots × \(specs.count) layers, N = \(n), \(storage.rawValue), file \(String(format: "%.2f", gb)) GB (sink \(sinks))")
    print(String(format: "  write (Recorder, to page cache):    %.2f s wall (%.2f GB/s)", writeSeconds, gb / writeSeconds))
    print("  medians of 5, warm page cache       wall                  CPU (user+sys)")
    for (name, w, c) in [("  plain sequential read(2)", plainWall, plainCPU), ("  Recording.layer stream", streamWall, streamCPU),
      ("  Recording.forEachSnapshot", viewWall, viewCPU),
    ] {
      let label = name.padding(toLength: 34, withPad: " ", startingAt: 0)
      print(label + String(format: "%7.3f s %6.2f GB/s   %7.3f s %6.2f GB/s", median(w), gb / median(w), median(c), gb / median(c)))
    }
    print(String(format: "  ratio layer()/plain throughput:           wall %.2f, CPU %.2f  (goal ≥ 0.50)",
      median(plainWall) / median(streamWall), median(plainCPU) / median(streamCPU)))
    print(String(format: "  ratio forEachSnapshot/plain throughput:   wall %.2f, CPU %.2f  (goal ≥ 0.50)",
      median(plainWall) / median(viewWall), median(plainCPU) / median(viewCPU)))
    print(String(format: "  open (header + index):         %.3f ms median of 21 (goal < 10 ms)", opens.sorted()[10]))
  }
}
