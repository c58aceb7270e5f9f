/// Overflow-checked arithmetic on sizes taken from user data.
package enum _Checked {
  /// The product of non-negative `factors`, or nil when it does not fit in an Int.
  package static func product(_ factors: Int...) -> Int? {
    var p = 1
    for f in factors {
      let (r, overflow) = p.multipliedReportingOverflow(by: f)
      if overflow { return nil }
      p = r
    }
    return p
  }
}
