// What a reader must know before quoting a family's numbers, in one paragraph each: what the
// values mean, which way the estimator is biased, where it saturates. Distilled from the
// estimators' doc comments and the caveats of reports/README.md; shown under each estimator's
// section of a report's index.html, so the warning travels with the figure.

extension EstimatorRegistry {
  /// The caveat of each family, by family name (every entry of `families` has one; a test
  /// checks it).
  static let caveats: [String: String] = [
    "binning": """
      Measures the partition, not the network: T is a function of X, so the true I(X;T) is log₂ N \
      for distinct inputs, and binned I(X;T) reaches that ceiling when every sample gets a bin of its \
      own — wide layers sit on it and cannot show compression. Plug-in entropies are biased down; \
      the values depend on the number and placement of the bins (a clipping grid can turn growing \
      ReLU activations into apparent compression; see clipped_fraction).
      """,
    "adaptive-binning": """
      Equal-mass bins per unit give up to bins^width symbols, so the estimate saturates at log₂ N \
      even sooner than fixed binning; a layer on that ceiling carries no information-plane signal. \
      Plug-in entropies are biased down.
      """,
    "kde": """
      Bounds for the noisy representation T + N(0, σ²I), not for T itself: i_xt/i_ty is the \
      pairwise-KL upper bound (i_*_lower the lower bound). The values depend on σ² — they grow \
      towards log₂ N as σ² → 0 and shrink as σ² grows — so they compare across snapshots of one \
      layer, not across noise levels.
      """,
    "adaptive-kde": """
      KDE bounds with σ² = c·max|T| re-chosen at every snapshot: values are bounds for the noisy \
      T + ε and part of a trajectory's shape is the change of σ². Wide layers still saturate at \
      log₂ N.
      """,
    "cs": """
      Cauchy–Schwarz quadratic mutual information is a different quantity from Shannon MI: in \
      bits, but not comparable in magnitude with the Shannon estimators (0.05–1 bit on the 12-bit \
      net with Silverman's widths, hundredths of a bit with the median rule); read the \
      trajectory's shape. The kernel widths are re-chosen at every snapshot, so part of what the \
      plane shows is the width rule.
      """,
    "renyi": """
      Matrix-based Rényi α-entropy MI is not Shannon MI: its magnitude depends on α and the \
      kernel widths and is not comparable with other estimators; read the trajectory's shape. \
      The widths are re-chosen at every snapshot.
      """,
    "lossy": """
      Compresses T (PCA or an autoencoder to m dimensions) before a kNN estimate: information \
      lost by the compression is missing, and kNN estimates on discrete inputs are biased down. \
      Ties at non-zero distances can push I(T;Y) slightly above H(Y).
      """,
    "gaussian": """
      A linear-Gaussian baseline, not an estimate of the network's Shannon MI: the MI of a \
      Gaussian fit with noise σ². It is not bounded by H(X) or H(Y) and can exceed both on wide \
      layers.
      """,
    "ksg": """
      Kraskov–Stögbauer–Grassberger kNN estimate: assumes continuous data, is biased down when \
      the MI is large relative to log N, and depends on k; duplicate rows are handled by a tie \
      rule, ties at non-zero distances are not.
      """,
    "ksg2": """
      Kraskov–Stögbauer–Grassberger kNN estimate (second form): assumes continuous data, is \
      biased down when the MI is large relative to log N, and depends on k.
      """,
    "kl-entropy": """
      The Kozachenko–Leonenko entropy of the first array alone, not a mutual information; \
      assumes continuous data and depends on k.
      """,
    "wkl": """
      Weighted Kozachenko–Leonenko I = H(X) + H(Y) − H(X,Y): the weights remove leading bias \
      terms for smooth densities, but the estimate assumes continuous data and its variance \
      grows with the dimension.
      """,
  ]

  /// The caveat of the family a specification or label (`kde`, `gaussian:sigma2=1`) names;
  /// nil for a name no family has (a manifest from another version).
  public static func caveat(forSpecification specification: String) -> String? {
    guard let name = try? parse(specification).name, let f = try? family(name) else { return nil }
    return caveats[f.name]
  }
}
