using Microsoft.ML.Lstm;
using Microsoft.ML.Lstm.MLNetInternals;

namespace Microsoft.ML;

/// <summary>
/// <c>mlContext.Transforms.FeaturizeByLstm</c>: a recurrent encoder learned from unlabelled texts or token sequences as
/// a language model, writing each row as a fixed-size float vector for any ML.NET trainer.
/// </summary>
/// <example>
/// <code>
/// var featurizer = mlContext.Transforms.FeaturizeByLstm("Features", "Text").Fit(unlabelledText); // then SDCA, LightGBM, k-means… on "Features"
/// var classifier = mlContext.BinaryClassification.Trainers.Lstm(new LstmBinaryTrainer.Options
///     { FeatureColumnName = "Text", PretrainedEncoder = featurizer }).Fit(fewLabelled);       // or start a classifier from it
/// </code>
/// </example>
public static class LstmFeaturizingCatalog
{
    /// <summary>
    /// Learns a recurrent encoder from the texts or token sequences of <paramref name="inputColumnName"/> without labels,
    /// as a language model (<see cref="LstmFeaturizingEstimator"/>), and writes each row's encoder outputs pooled into a
    /// fixed-size float vector: last state, mean and max of both directions, 6 × <paramref name="hiddenSize"/> values.
    /// </summary>
    /// <param name="catalog">The transforms' catalog.</param>
    /// <param name="outputColumnName">The column written: a vector of float with slot names.</param>
    /// <param name="inputColumnName">The column read: text (split into words, the words seen twice or more kept), or a vector of keys (tokens or characters after <c>MapValueToKey</c>); null reads <paramref name="outputColumnName"/>.</param>
    /// <param name="hiddenSize">Hidden units per direction.</param>
    /// <param name="epochs">Most passes over the rows (10 % of them are held out to stop early).</param>
    /// <param name="bidirectional">Whether a backward language model is trained beside the forward one and joins the output.</param>
    /// <returns>The estimator; its transformer writes <paramref name="outputColumnName"/> and is also the language model.</returns>
    public static LstmFeaturizingEstimator FeaturizeByLstm(
        this TransformsCatalog catalog,
        string outputColumnName,
        string? inputColumnName = null,
        int hiddenSize = 128,
        int epochs = 10,
        bool bidirectional = true)
        => FeaturizeByLstm(catalog, new LstmFeaturizingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            HiddenSize = hiddenSize,
            Epochs = epochs,
            Bidirectional = bidirectional,
        });

    /// <summary>Learns a recurrent encoder from texts or token sequences without labels, with every option (<see cref="LstmFeaturizingEstimator.Options"/>).</summary>
    /// <param name="catalog">The transforms' catalog.</param>
    /// <param name="options">The options (copied: later changes do not reach the estimator).</param>
    /// <returns>The estimator; its transformer writes the output column and is also the language model.</returns>
    public static LstmFeaturizingEstimator FeaturizeByLstm(this TransformsCatalog catalog, LstmFeaturizingEstimator.Options options)
        => new(MLNetEnvironment.Of(catalog), options);
}
