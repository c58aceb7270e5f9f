#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// When the trainer takes a snapshot. A snapshot at epoch e holds the network after e
/// completed epochs (e = 0 is the initial network), as in the IDNNs code, which records at
/// the start of epoch e.
public enum RecordingSchedule: Sendable, Equatable {
  /// `unique(int(logspace(0, log2 E, K, base 2))) − 1` as in Shwartz-Ziv & Tishby's code
  /// (`np.logspace(…, dtype=int)` truncates): for E = 8,000 and K = 400 that is 274 epochs,
  /// from 0 to 7,999, dense early and sparse late.
  case logSpaced(count: Int)
  /// Epochs 0, n, 2n, … ≤ E (E itself is the trained network).
  case every(Int)
  /// No snapshots.
  case none

  /// The snapshot epochs, ascending, for a run of `epochs` epochs.
  public func epochs(totalEpochs: Int) -> [Int] {
    guard totalEpochs >= 1 else { return [] }
    switch self {
    case .none:
      return []
    case .every(let n):
      guard n >= 1 else { return [] }
      return Array(stride(from: 0, through: totalEpochs, by: n))
    case .logSpaced(let k):
      guard k >= 1 else { return [] }
      // numpy.linspace(0, stop, k): y_i = i·(stop/(k−1)), last element set to stop exactly;
      // then numpy.power(2, y) and a cast to int (truncation).
      let stop = log2(Double(totalEpochs))
      let step = k > 1 ? stop / Double(k - 1) : 0
      var values: [Int] = []
      values.reserveCapacity(k)
      for i in 0..<k {
        let y = (k > 1 && i == k - 1) ? stop : Double(i) * step
        values.append(Int(pow(2, y)))
      }
      return Array(Set(values)).sorted().map { $0 - 1 }
    }
  }
}
