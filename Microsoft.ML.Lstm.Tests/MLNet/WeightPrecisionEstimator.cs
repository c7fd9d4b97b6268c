namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// An estimator of the package followed by <see cref="WeightPrecisionExtensions"/>: fits it and returns its transformer
/// with compressed weights, so that the harness, the fuzz tests and the concurrent scoring test run compressed models too.
/// </summary>
internal sealed class WeightPrecisionEstimator(IEstimator<ITransformer> inner, WeightPrecision precision) : IEstimator<ITransformer>
{
    /// <inheritdoc/>
    public ITransformer Fit(IDataView input) => inner.Fit(input) switch
    {
        SequencePredictionTransformerBase transformer => transformer.WithWeightPrecision(precision),
        LstmForecastingTransformer forecaster => forecaster.WithWeightPrecision(precision),
        var other => throw new NotSupportedException($"{other.GetType().Name} is not a transformer of the package."),
    };

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
}
