#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Fresh multi-megabyte arrays on transparent huge pages, where the kernel offers them.
///
/// Why: every page of a fresh anonymous allocation costs a page fault on first write. A single
/// `ibplane estimate` on 65,536 × 16 values touches ~18 MB of new arrays (the input widened to
/// double, bin codes, renumbered codes): ~4,600 faults, about a tenth of the whole process's
/// time on this machine kind (issue 18's binning profile; `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`
/// measured the same saving for the whole process, but a tunable must be set before the process
/// starts). Debian's kernels default to `madvise` mode, so a region asks for 2 MiB pages with
/// `madvise(MADV_HUGEPAGE)` before it is first written: a 2 MiB page is one fault instead of 512.
///
/// Only the whole 2 MiB-aligned pages inside the buffer are advised (the buffer's own ends stay
/// on small pages), and only for buffers of at least `minimumBytes`. Advice is a hint: where
/// huge pages are off or unavailable it does nothing, and the values written are the same.
public enum HugePages {
  /// Size of a transparent huge page on x86-64 and arm64 (4 KiB base pages).
  static let pageBytes = 2 << 20
  /// Smaller buffers are left alone (at most one aligned huge page would fit).
  static let minimumBytes = 4 << 20

  /// Advises the whole huge pages inside `start ..< start + byteCount`; call before first write.
  public static func advise(_ start: UnsafeMutableRawPointer?, byteCount: Int) {
    #if os(Linux)
      guard let start, byteCount >= minimumBytes else { return }
      let mask = UInt(pageBytes - 1)
      let first = (UInt(bitPattern: start) + mask) & ~mask
      let end = (UInt(bitPattern: start) + UInt(byteCount)) & ~mask
      guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
      _ = madvise(aligned, Int(end - first), MADV_HUGEPAGE)
    #endif
  }

  /// An array of `count` elements that `body` writes, every one of them, advised before it is
  /// written: no zero fill first (a fresh buffer's pages are zeroed by the kernel anyway, and
  /// a fill is one more pass over memory that `body` overwrites). `body` must initialise every
  /// element it is given; when it throws, nothing is returned (a bitwise-copyable element type,
  /// so nothing needs deinitialising either way).
  @inlinable
  public static func array<T: BitwiseCopyable>(count: Int, filling body: (UnsafeMutableBufferPointer<T>) throws -> Void) rethrows -> [T] {
    try [T](unsafeUninitializedCapacity: count) { buffer, initialised in
      advise(UnsafeMutableRawPointer(buffer.baseAddress), byteCount: count * MemoryLayout<T>.stride)
      let all = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
      try body(all)
      initialised = count
    }
  }

  /// `[T](repeating: value, count: count)`, advised before it is filled (inlinable, so the
  /// fill is specialised for the element type in the caller).
  @inlinable
  public static func array<T>(repeating value: T, count: Int) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialised in
      advise(UnsafeMutableRawPointer(buffer.baseAddress), byteCount: count * MemoryLayout<T>.stride)
      UnsafeMutableBufferPointer(rebasing: buffer[0..<count]).initialize(repeating: value)
      initialised = count
    }
  }

  /// Zero-filled memory of at least `byteCount` bytes for a table written at random places (a
  /// hash table's slots, `_PackedSymbolTable`), freed when the returned object goes. From 2 MiB
  /// on, it starts on a 2 MiB boundary and is advised for huge pages before it is zeroed: in a
  /// fresh process a 2 MiB table is then one page fault instead of 512 (a hash table's probes
  /// touch every small page of it). It comes from `malloc` (`posix_memalign`) all the same, so
  /// glibc's dynamic thresholds see it as they saw the array it replaces: once a large block
  /// has been freed, later ones come from the heap, which stays mapped, and a loop of estimates
  /// in one process pays no page faults (an `mmap` of its own measured 233 faults and 0.3 ms
  /// more per 65,536-row estimate: the smaller arrays then went back and forth to the kernel).
  /// Nil when the allocation fails.
  public static func zeroed(byteCount: Int) -> ZeroedMemory? {
    ZeroedMemory(byteCount: Swift.max(byteCount, 1))
  }
}

/// Memory from `HugePages.zeroed(byteCount:)`: `base` holds `byteCount` zero bytes when made,
/// 64-byte aligned at least; freed when the object goes.
public final class ZeroedMemory: @unchecked Sendable {
  public let base: UnsafeMutableRawPointer
  public let byteCount: Int

  fileprivate init?(byteCount: Int) {
    self.byteCount = byteCount
    var p: UnsafeMutableRawPointer?
    let alignment = byteCount >= HugePages.pageBytes ? HugePages.pageBytes : 64
    guard posix_memalign(&p, alignment, byteCount) == 0, let p else { return nil }
    #if os(Linux)
      if byteCount >= HugePages.pageBytes { _ = madvise(p, byteCount & ~(HugePages.pageBytes - 1), MADV_HUGEPAGE) }
    #endif
    memset(p, 0, byteCount)
    base = p
  }

  deinit { free(base) }
}
