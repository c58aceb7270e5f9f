import Foundation
import IBPlaneTestSupport
import Testing

/// The CI gate for the oracle tests. Each of them declares `.requires(…)` and is skipped, with
/// the reason, on a machine without the oracle; `make test` installs every oracle (`make pydeps`)
/// and sets IBPLANE_REQUIRE_ORACLES=1, and then this test fails naming each missing one, so an
/// oracle that stopped installing cannot turn its comparisons into silent skips.
@Suite struct OracleGateTests {
  @Test(.enabled(if: Oracles.required, "IBPLANE_REQUIRE_ORACLES=1 is not set (make test sets it)"))
  func everyOracleIsInstalled() {
    #expect(
      Oracles.missing.isEmpty,
      "IBPLANE_REQUIRE_ORACLES=1 but \(Oracles.python) lacks: \(Oracles.missing.map(\.description).joined(separator: ", ")) (run `make pydeps`)")
  }
}
