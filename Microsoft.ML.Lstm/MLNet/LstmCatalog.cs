using Microsoft.ML.Lstm;
using Microsoft.ML.Lstm.MLNetInternals;

namespace Microsoft.ML;

/// <summary>
/// The LSTM trainers in <c>MLContext</c>'s catalogs: <c>BinaryClassification.Trainers.Lstm</c>,
/// <c>MulticlassClassification.Trainers.Lstm</c>, <c>Regression.Trainers.Lstm</c> and the sequence tagger
/// <c>MulticlassClassification.Trainers.LstmTagger</c>.
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
    /// <param name="featureColumnName">The sequences: text (a <c>String</c> per row, split into words by the trainer, which builds its vocabulary at Fit), a vector of keys (tokens after <c>MapValueToKey</c>) or a vector of floats, one value per step.</param>
    /// <param name="hiddenSize">Hidden units of the recurrent layer, per direction.</param>
    /// <param name="epochs">Most passes over the training data (10 % of it is held out to stop early when that is at least 200 rows; a smaller set trains on every row for all of them).</param>
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
    /// <param name="featureColumnName">The sequences: text (a <c>String</c> per row, split into words by the trainer, which builds its vocabulary at Fit), a vector of keys (tokens after <c>MapValueToKey</c>) or a vector of floats, one value per step.</param>
    /// <param name="hiddenSize">Hidden units of the recurrent layer, per direction.</param>
    /// <param name="epochs">Most passes over the training data (10 % of it is held out to stop early when that is at least 200 rows; a smaller set trains on every row for all of them).</param>
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
    /// <param name="featureColumnName">The sequences: text (a <c>String</c> per row, split into words by the trainer, which builds its vocabulary at Fit), a vector of keys (tokens after <c>MapValueToKey</c>) or a vector of floats, one value per step.</param>
    /// <param name="hiddenSize">Hidden units of the recurrent layer, per direction.</param>
    /// <param name="epochs">Most passes over the training data (10 % of it is held out to stop early when that is at least 200 rows; a smaller set trains on every row for all of them).</param>
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

    /// <summary>
    /// A sequence tagger (<see cref="LstmTaggerTrainer"/>): a bidirectional LSTM that gives every token of a sentence one tag
    /// (named entities, part of speech), decoded by a CRF that follows the tags' scheme (BIO, IOB1, IOBES, BILOU).
    /// </summary>
    /// <param name="catalog">The multiclass classification trainers' catalog.</param>
    /// <param name="labelColumnName">The tags: a variable-length vector of keys, one per token (<c>MapValueToKey</c> over a <c>string[]</c> of tags).</param>
    /// <param name="featureColumnName">The tokens: a variable-length vector of keys (<c>MapValueToKey</c> over a <c>string[]</c> of tokens).</param>
    /// <param name="characterColumnName">
    /// The tokens as written, a vector of text as long as the token vector (the <c>string[]</c> before <c>MapValueToKey</c>),
    /// or null. With it, a character BiLSTM and word-shape features read each token's spelling: what lets the tagger tag a
    /// name the training data never held.
    /// </param>
    /// <param name="hiddenSize">Hidden units of the recurrent layer, per direction.</param>
    /// <param name="epochs">Most passes over the training data (10 % of it is held out to stop early when that is at least 200 rows; a smaller set trains on every row for all of them).</param>
    /// <returns>The trainer; its transformer writes <c>PredictedLabel</c> (a tag key per token) and <c>Score</c> (each tag's probability).</returns>
    /// <example>
    /// <code>
    /// var pipeline = mlContext.Transforms.Conversion.MapValueToKey("TokenKeys", "Tokens")
    ///     .Append(mlContext.Transforms.Conversion.MapValueToKey("Label", "Tags"))
    ///     .Append(mlContext.MulticlassClassification.Trainers.LstmTagger("Label", "TokenKeys", characterColumnName: "Tokens"))
    ///     .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedTags", "PredictedLabel"));
    /// </code>
    /// </example>
    public static LstmTaggerTrainer LstmTagger(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        string? characterColumnName = null,
        int hiddenSize = 100,
        int epochs = 30)
        => LstmTagger(catalog, new LstmTaggerTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            CharacterColumnName = characterColumnName,
            HiddenSize = hiddenSize,
            Epochs = epochs,
        });

    /// <summary>A sequence tagger that gives every token of a sentence one tag, with every option.</summary>
    /// <param name="catalog">The multiclass classification trainers' catalog.</param>
    /// <param name="options">The trainer's options (copied: later changes do not reach the trainer).</param>
    /// <returns>The trainer; its transformer writes <c>PredictedLabel</c> (a tag key per token) and <c>Score</c> (each tag's probability).</returns>
    public static LstmTaggerTrainer LstmTagger(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, LstmTaggerTrainer.Options options)
        => new(MLNetEnvironment.Of(catalog), options);
}
