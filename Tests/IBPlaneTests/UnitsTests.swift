import XCTest
import IBPlane

/// Unit conversion is the last step before every number a person reads.
final class UnitsTests: XCTestCase {
  func testNatsToBits() {
    XCTAssertEqual(InformationUnit.bits.fromNats(_math_log(2)), 1, accuracy: 1e-15)
    XCTAssertEqual(InformationUnit.bits.fromNats(_math_log(1024)), 10, accuracy: 1e-13)
    XCTAssertEqual(InformationUnit.nats.fromNats(0.25), 0.25)
    let e = Estimate(nats: _math_log(4), lowerNats: _math_log(2), upperNats: nil)
    XCTAssertEqual(e.value(in: .bits), 2, accuracy: 1e-15)
    XCTAssertEqual(try XCTUnwrap(e.lower(in: .bits)), 1, accuracy: 1e-15)
    XCTAssertNil(e.upper(in: .bits))
  }
}
