import Foundation
import Testing
import IBPlane
@testable import IBPlaneAnalysis
@testable import IBPlaneReports

/// Planes mark the log N ceiling of I(X;T) when the data come near it, say in the figure when
/// a layer is saturated there, wrap long notes instead of cutting them, and give the first six
/// layers six different colours.
@Suite struct PlaneCeilingsTests {
  func rows() throws -> (rows: [PlaneRow], manifest: PlaneManifest) {
    let a = try PlaneAnalysis(source: try PlaneFixtures.source(snapshots: 4), estimators: [try EstimatorRegistry.makePlane("binning")])
    return (try a.run(), a.manifest)
  }

  func svg(_ rows: [PlaneRow], _ manifest: PlaneManifest) -> String {
    PlaneFigures.plane(rows, manifest: manifest, estimator: .init(name: rows[0].estimator, params: rows[0].params))
  }

  @Test func aSaturatedLayerGetsTheCeilingLineAndANote() throws {
    var (rows, manifest) = try rows()
    let ceiling = log2(300.0)
    #expect(rows[0].n == 300 && rows[0].unit == .bits)
    // h1 at the ceiling in 3 of 4 snapshots (most), h2 far below it.
    var h1 = 0
    for k in rows.indices {
      if rows[k].layer == "h1" {
        rows[k].inputInformation = h1 < 3 ? ceiling : 5
        h1 += 1
      } else {
        rows[k].inputInformation = 2
      }
    }
    let text = svg(rows, manifest)
    #expect(text.contains("log₂ N = 8.23"))
    #expect(text.contains("stroke-dasharray=\"5 4\""))
    #expect(text.contains("Saturated: h1 within 1 % of log N"))
    #expect(!text.contains("Saturated: h1, h2"))
  }

  @Test func theLabelEntropyIsTheCeilingOfITY() throws {
    var (rows, manifest) = try rows()
    // The fixture's labels: x0 + x1 > 0 on 300 normal samples, about balanced.
    let h = try #require(manifest.labelEntropy)
    #expect(h > 0.95 && h <= 1)
    for k in rows.indices { rows[k].labelInformation = 0.9 * h }
    #expect(svg(rows, manifest).contains(String(format: "H(Y) = %.3g", h)))
    for k in rows.indices { rows[k].labelInformation = 0.2 * h }
    #expect(!svg(rows, manifest).contains("H(Y) ="))
    manifest.labelEntropy = nil
    for k in rows.indices { rows[k].labelInformation = 0.9 * h }
    #expect(!svg(rows, manifest).contains("H(Y) ="))
  }

  @Test func aPlaneFarBelowTheCeilingHasNeitherLineNorNote() throws {
    var (rows, manifest) = try rows()
    for k in rows.indices { rows[k].inputInformation = 1 + Double(k % 3) }  // ≤ 3 bits of 8.23
    let text = svg(rows, manifest)
    #expect(!text.contains("log₂ N") && !text.contains("Saturated"))
  }

  @Test func wrappingKeepsEveryWordAndFitsTheWidth() {
    let s = "Saturated: hidden1, hidden2, hidden3 within 1 % of log N in most snapshots — every sample apart, so I(X;T) cannot show compression there."
    let lines = PlaneFigures.wrapped(s, width: 300, size: 11)
    #expect(lines.count > 1)
    #expect(lines.allSatisfy { SVGDocument.textWidth($0, size: 11) <= 300 })
    // Each line is as full as it can be: the next word would not have fitted.
    for (a, b) in zip(lines, lines.dropFirst()) {
      #expect(SVGDocument.textWidth(a + " " + b.split(separator: " ")[0], size: 11) > 300)
    }
    #expect(lines.joined(separator: " ") == s)
    #expect(PlaneFigures.wrapped("averyveryverylongword x", width: 30, size: 10) == ["averyveryverylongword", "x"])
  }

  @Test func theFirstSixLayersHaveSixColours() {
    #expect(Set((0..<6).map(ColourMap.layer)).count == 6)
    // Sky blue next to hidden1's blue made a 6-layer net's output look like hidden1.
    #expect(ColourMap.layer(0) == "#0072B2" && !(1..<6).map(ColourMap.layer).contains("#56B4E9"))
  }

  /// Layers on one point stay visible: later (deeper) layers get smaller markers and thinner
  /// lines, drawn last. A layer that jumps between two levels at every snapshot gets a faint
  /// line and a note; a trajectory that rises, turns once or wobbles does not.
  @Test func overlappingLayersStayVisibleAndAlternatingLayersGetAFaintLine() throws {
    #expect(PlaneFigures.alternates([0.26, 0.6, 0.26, 0.6, 0.27, 0.61, 0.26, 0.6]))
    #expect(!PlaneFigures.alternates([0.1, 0.2, 0.35, 0.5, 0.62, 0.7, 0.74, 0.75]))
    #expect(!PlaneFigures.alternates([2, 4, 6, 8, 7, 6, 5, 4]))  // fitting, then compression
    #expect(!PlaneFigures.alternates([0.1, 0.5, 0.9, 0.91, 0.9, 0.91, 0.9, 0.91]))  // wobble on a plateau
    // A saturated layer's jitter at 12 bits alternates, but below what the axis can show.
    let jitter = [11.998, 11.999, 11.997, 11.999, 11.998, 11.999, 11.997, 11.999]
    #expect(PlaneFigures.alternates(jitter) && !PlaneFigures.alternates(jitter, visible: 0.02 * 12))
    let scales = (0..<6).map(PlaneFigures.markerScale), widths = (0..<6).map(PlaneFigures.lineWidth)
    #expect(zip(scales, scales.dropFirst()).allSatisfy { $0 - $1 >= 0.1 } && scales.last! >= 0.45)
    #expect(zip(widths, widths.dropFirst()).allSatisfy { $0 > $1 })
    let a = try PlaneAnalysis(source: try PlaneFixtures.source(snapshots: 8), estimators: [try EstimatorRegistry.makePlane("binning")])
    var rows = try a.run()
    // Both layers at one point (h2 every other snapshot): h1's circles stay larger than h2's
    // squares drawn on top; h2 alternates between two levels.
    var h2 = 0
    for k in rows.indices.sorted(by: { rows[$0].step < rows[$1].step }) {
      rows[k].inputInformation = 3
      if rows[k].layer == "h2" {
        rows[k].labelInformation = h2 % 2 == 0 ? 0.8 : 0.2
        h2 += 1
      } else {
        rows[k].labelInformation = 0.8
      }
    }
    let text = svg(rows, a.manifest)
    let radii = Set(text.matches(of: #/<circle cx="[0-9.]+" cy="[0-9.]+" r="([0-9.]+)"[^>]*><title>/#).map { String($0.1) })
    #expect(radii == ["5.46"])  // h1: 1.3 × 4.2; h2's squares are 1.14 × 4.2 × 0.9 across
    #expect(text.contains("stroke-width=\"\(SVGDocument.number(PlaneFigures.lineWidth(0)))\""))
    #expect(text.components(separatedBy: "data-alternating=\"true\"").count == 2)
    #expect(text.contains("faint line: h2 alternates between snapshots"))
  }
}
