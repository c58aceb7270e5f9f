/// ibplane: information-plane analysis of neural networks.
///
/// `import IBPlane` gives the whole library. It is an umbrella over layered modules whose
/// dependencies run one way (docs/architecture.md):
///
/// - `IBPlaneNumerics`: matrices, BLAS/LAPACK, the tiled kernel engine, nearest-neighbour
///   search, seeded random numbers, checksums and the NumPy `.npy`/`.npz` codec;
/// - `IBPlaneCore`: the vocabulary — units, estimates, labels, layer and snapshot descriptions,
///   the plane context, both estimator protocols and the validation error;
/// - `IBPlaneEstimators`: every estimator and the one registry that names and configures them;
/// - `IBPlaneRecording`: `activations.bin` (reader, writer, inspection) and NumPy-recording import;
/// - `IBPlaneSynthetic`: synthetic tasks whose mutual information is known in closed form;
/// - `IBPlaneAnalysis`: the information-plane analysis — jobs, rows, manifest, bootstrap,
///   shards, merge, resume, output locking;
/// - `IBPlaneReports`: figures (SVG) and the HTML page, rendered from an analysis' rows.
@_exported import IBPlaneAnalysis
@_exported import IBPlaneCore
@_exported import IBPlaneEstimators
@_exported import IBPlaneNumerics
@_exported import IBPlaneRecording
@_exported import IBPlaneReports
@_exported import IBPlaneSynthetic
