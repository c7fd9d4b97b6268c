namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// One estimator of the package as <see cref="EstimatorHarnessTests"/> runs it: small training data, the estimator,
/// and the data that should make it fail. A new estimator joins the harness with one entry in
/// <see cref="EstimatorCases.All"/>.
/// </summary>
/// <param name="Name">The case's name in test results.</param>
/// <param name="TrainingData">Small data the estimator fits on in a second or two, as the estimator reads it (keys already mapped).</param>
/// <param name="Estimator">The estimator itself, not a pipeline: the checks change its input columns.</param>
/// <param name="FeatureColumn">The input column the missing-column and wrong-type checks take away or replace.</param>
/// <param name="WrongTypeSource">A column of the training data whose type the feature column cannot have; copied over it.</param>
/// <param name="WrongVectorSize">
/// Data like the training data whose feature column has a size the fitted model cannot read (another key count, a
/// size that is not whole steps).
/// </param>
public sealed record EstimatorCase(
    string Name,
    Func<MLContext, IDataView> TrainingData,
    Func<MLContext, IEstimator<ITransformer>> Estimator,
    string FeatureColumn,
    string WrongTypeSource,
    Func<MLContext, IDataView> WrongVectorSize)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}
