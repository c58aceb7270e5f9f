import Foundation
import IBPlane

@_cdecl("ibplane_inspect")
public func ibplane_inspect(_ path: UnsafePointer<CChar>?, _ result: CStringOut?, _ error: CStringOut?) -> Int32 {
  callC(error) {
    let file = try string(path, "path")
    let url = URL(fileURLWithPath: file)
    let recording = try Recording.openForInspection(url)
    try deliver(try json(recording.inspect().jsonObject(recording, file: file)), to: result)
  }
}
