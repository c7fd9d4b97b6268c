namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// An estimator of the package followed by <see cref="ScoringThreadsExtensions"/>: fits it and returns its transformer
/// scoring on <paramref name="threads"/> threads, so that the harness, the fuzz tests and the concurrent scoring test run
/// a model whose every row runs on several threads (a bidirectional one runs its two directions side by side).
/// </summary>
internal sealed class ScoringThreadsEstimator(IEstimator<ITransformer> inner, int threads) : IEstimator<ITransformer>
{
    /// <inheritdoc/>
    public ITransformer Fit(IDataView input) => inner.Fit(input).WithScoringThreads(threads);

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
}
