using Microsoft.ML.Lstm;
using Microsoft.ML.Lstm.MLNetInternals;

namespace Microsoft.ML;

/// <summary>
/// The LSTM trainers in <c>MLContext</c>'s catalogs: <c>BinaryClassification.Trainers.Lstm</c>,
/// <c>MulticlassClassification.Trainers.Lstm</c> and <c>Regression.Trainers.Lstm</c>.
/// </summary>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
///     .Append(mlContext.Transforms.Conversion.MapValueToKey("Tokens"))
///     .Append(mlContext.BinaryClassification.Trainers.Lstm(labelColumnName: "Label", featureColumnName: "Tokens"));
/// </code>
/// </example>
public static class LstmCatalog
{
    /// <summary>
    /// A recurrent network that classifies each sequence into two classes (<see cref="LstmBinaryTrainer"/>).
    /// </summary>
    /// <param name="catalog">The binary classification trainers' catalog.</param>
    /// <param name="labelColumnName">The label column: <see cref="bool"/>.</param>
    /// <param name="featureColumnName">The sequences: a vector of keys (tokens after <c>MapValueToKey</c>) or a vector of floats, one value per step.</param>
    /// <param name="hiddenSize">Hidden units of the recurrent layer, per direction.</param>
    /// <param name="epochs">Most passes over the training data (10 % of it is held out to stop early).</param>
    /// <param name="bidirectional">Whether the network also reads each sequence backwards.</param>
    /// <returns>The trainer; its transformer writes <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c>.</returns>
    public static LstmBinaryTrainer Lstm(
        this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        int hiddenSize = 64,
        int epochs = 20,
        bool bidirectional = true)
        => Lstm(catalog, new LstmBinaryTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            HiddenSize = hiddenSize,
            Epochs = epochs,
            Bidirectional = bidirectional,
        });

    /// <summary>A recurrent network that classifies each sequence into two classes, with every option.</summary>
    /// <param name="catalog">The binary classification trainers' catalog.</param>
    /// <param name="options">The trainer's options (copied: later changes do not reach the trainer).</param>
    /// <returns>The trainer; its transformer writes <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c>.</returns>
    public static LstmBinaryTrainer Lstm(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, LstmBinaryTrainer.Options options)
        => new(MLNetEnvironment.Of(catalog), options);

    /// <summary>
    /// A recurrent network that classifies each sequence into one of K classes (<see cref="LstmMulticlassTrainer"/>).
    /// </summary>
    /// <param name="catalog">The multiclass classification trainers' catalog.</param>
    /// <param name="labelColumnName">The label column: a key (map it with <c>MapValueToKey</c>).</param>
    /// <param name="featureColumnName">The sequences: a vector of keys (tokens after <c>MapValueToKey</c>) or a vector of floats, one value per step.</param>
    /// <param name="hiddenSize">Hidden units of the recurrent layer, per direction.</param>
    /// <param name="epochs">Most passes over the training data (10 % of it is held out to stop early).</param>
    /// <param name="bidirectional">Whether the network also reads each sequence backwards.</param>
    /// <returns>The trainer; its transformer writes <c>Score</c> (class probabilities) and <c>PredictedLabel</c>.</returns>
    public static LstmMulticlassTrainer Lstm(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        int hiddenSize = 64,
        int epochs = 20,
        bool bidirectional = true)
        => Lstm(catalog, new LstmMulticlassTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            HiddenSize = hiddenSize,
            Epochs = epochs,
            Bidirectional = bidirectional,
        });

    /// <summary>A recurrent network that classifies each sequence into one of K classes, with every option.</summary>
    /// <param name="catalog">The multiclass classification trainers' catalog.</param>
    /// <param name="options">The trainer's options (copied: later changes do not reach the trainer).</param>
    /// <returns>The trainer; its transformer writes <c>Score</c> (class probabilities) and <c>PredictedLabel</c>.</returns>
    public static LstmMulticlassTrainer Lstm(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, LstmMulticlassTrainer.Options options)
        => new(MLNetEnvironment.Of(catalog), options);

    /// <summary>
    /// A recurrent network that predicts a number from each sequence (<see cref="LstmRegressionTrainer"/>).
    /// </summary>
    /// <param name="catalog">The regression trainers' catalog.</param>
    /// <param name="labelColumnName">The label column: <see cref="float"/>, or a known-size vector of <see cref="float"/> (several targets).</param>
    /// <param name="featureColumnName">The sequences: a vector of keys (tokens after <c>MapValueToKey</c>) or a vector of floats, one value per step.</param>
    /// <param name="hiddenSize">Hidden units of the recurrent layer, per direction.</param>
    /// <param name="epochs">Most passes over the training data (10 % of it is held out to stop early).</param>
    /// <param name="bidirectional">Whether the network also reads each sequence backwards.</param>
    /// <returns>The trainer; its transformer writes <c>Score</c> (a float, or a vector of K for a label of K targets).</returns>
    public static LstmRegressionTrainer Lstm(
        this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        int hiddenSize = 64,
        int epochs = 20,
        bool bidirectional = true)
        => Lstm(catalog, new LstmRegressionTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            HiddenSize = hiddenSize,
            Epochs = epochs,
            Bidirectional = bidirectional,
        });

    /// <summary>A recurrent network that predicts a number from each sequence, with every option.</summary>
    /// <param name="catalog">The regression trainers' catalog.</param>
    /// <param name="options">The trainer's options (copied: later changes do not reach the trainer).</param>
    /// <returns>The trainer; its transformer writes <c>Score</c> (a float, or a vector of K for a label of K targets).</returns>
    public static LstmRegressionTrainer Lstm(this RegressionCatalog.RegressionTrainers catalog, LstmRegressionTrainer.Options options)
        => new(MLNetEnvironment.Of(catalog), options);
}
