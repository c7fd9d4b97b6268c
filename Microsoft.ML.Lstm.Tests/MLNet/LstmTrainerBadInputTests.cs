using Microsoft.ML.Data;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>Every bad input fails before training starts, with a message naming the column, the row and what was expected.</summary>
public class LstmTrainerBadInputTests
{
    private readonly MLContext mlContext = new(seed: 1);
    private int epochsReported;

    private TOptions Options<TOptions>(string featureColumnName = "Tokens")
        where TOptions : LstmTrainerOptionsBase, new()
    {
        var options = Tiny<TOptions>(featureColumnName, epochs: 1);
        options.Progress = new Progress<LstmTrainingProgress>(_ => Interlocked.Increment(ref epochsReported));
        return options;
    }

    private TException FitBinary<TException>(IDataView data, string featureColumnName = "Tokens") where TException : Exception
    {
        var trainer = mlContext.BinaryClassification.Trainers.Lstm(Options<LstmBinaryTrainer.Options>(featureColumnName));
        var error = Assert.Throws<TException>(() => trainer.Fit(data));
        Assert.Equal(0, epochsReported);
        return error;
    }

    [Fact]
    public void MissingFeatureColumn()
    {
        var data = mlContext.Data.LoadFromEnumerable(Reviews(4, seed: 1));

        var error = FitBinary<ArgumentOutOfRangeException>(data, featureColumnName: "Words");

        Assert.Contains("'Words'", error.Message);
        Assert.Contains("vector of keys", error.Message);
    }

    [Fact]
    public void FeatureColumnThatIsNeitherTextNorKeysNorFloats()
    {
        var data = mlContext.Data.LoadFromEnumerable(Reviews(4, seed: 1));

        var error = FitBinary<ArgumentOutOfRangeException>(data, featureColumnName: "Label");

        Assert.Contains("'Label' is Boolean", error.Message);
        Assert.Contains("expected String (text), a vector of keys", error.Message);
    }

    [Fact]
    public void BinaryLabelThatIsNotBoolean()
    {
        var data = mlContext.Data.LoadFromEnumerable(Series(4, seed: 1));
        var trainer = mlContext.BinaryClassification.Trainers.Lstm(Options<LstmBinaryTrainer.Options>("Features"));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));

        Assert.Contains("label column 'Label' is Single", error.Message);
        Assert.Contains("expected Boolean", error.Message);
    }

    [Fact]
    public void EmptySequence()
    {
        var rows = new[]
        {
            new TokenRow { Tokens = [1, 2], Label = true },
            new TokenRow { Tokens = [], Label = false },
        };

        var error = FitBinary<InvalidOperationException>(mlContext.Data.LoadFromEnumerable(rows));

        Assert.Contains("Column 'Tokens', row 1 of the training data: the sequence is empty", error.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteFeature(float bad)
    {
        var rows = Series(3, seed: 1);
        rows[2].Features[3] = bad;
        var trainer = mlContext.Regression.Trainers.Lstm(WithTwoFeaturesPerStep(Options<LstmRegressionTrainer.Options>("Features")));

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(mlContext.Data.LoadFromEnumerable(rows)));

        Assert.Contains($"Column 'Features', row 2 of the training data: value {bad} at step 1, feature 1; expected finite numbers", error.Message);
        Assert.Equal(0, epochsReported);
    }

    [Fact]
    public void FloatSequenceThatIsNotAWholeNumberOfSteps()
    {
        var rows = Series(2, seed: 1);
        rows[1].Features = [0.1f, 0.2f, 0.3f];
        var trainer = mlContext.Regression.Trainers.Lstm(WithTwoFeaturesPerStep(Options<LstmRegressionTrainer.Options>("Features")));

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(mlContext.Data.LoadFromEnumerable(rows)));

        Assert.Contains("row 1", error.Message);
        Assert.Contains("a multiple of 2 values", error.Message);
    }

    [Fact]
    public void MissingRegressionLabel()
    {
        var rows = Series(3, seed: 1);
        rows[1].Label = float.NaN;
        var trainer = mlContext.Regression.Trainers.Lstm(WithTwoFeaturesPerStep(Options<LstmRegressionTrainer.Options>("Features")));

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(mlContext.Data.LoadFromEnumerable(rows)));

        Assert.Contains("Column 'Label', row 1 of the training data: the label is missing (NaN)", error.Message);
        Assert.Equal(0, epochsReported);
    }

    [Fact]
    public void MissingMulticlassLabel()
    {
        // The label's keys were mapped on data without "music": that row's label is the missing key 0.
        var keys = Tokenize(mlContext, labelToKey: "Label").Fit(mlContext.Data.LoadFromEnumerable(TopicSentences(6, seed: 1)));
        TopicRow[] rows = TopicSentences(3, seed: 2);
        rows[2].Label = "music";
        var trainer = mlContext.MulticlassClassification.Trainers.Lstm(Options<LstmMulticlassTrainer.Options>());

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(keys.Transform(mlContext.Data.LoadFromEnumerable(rows))));

        Assert.Contains("Column 'Label', row 2 of the training data: the label is missing (key 0", error.Message);
        Assert.Contains("expected a key from 1 to 3", error.Message);
        Assert.Equal(0, epochsReported);
    }

    [Fact]
    public void MulticlassLabelOutsideTheKeyRange()
    {
        // LoadFromEnumerable reads a [KeyType(3)] member as 0-based and makes a value past the range the missing key.
        var rows = new[] { new KeyLabelRow { Tokens = [1], Label = 2 }, new KeyLabelRow { Tokens = [2], Label = 7 } };
        var trainer = mlContext.MulticlassClassification.Trainers.Lstm(Options<LstmMulticlassTrainer.Options>());

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(mlContext.Data.LoadFromEnumerable(rows)));

        Assert.Contains("Column 'Label', row 1 of the training data", error.Message);
        Assert.Contains("expected a key from 1 to 3", error.Message);
    }

    [Fact]
    public void MulticlassLabelThatIsNotAKey()
    {
        var trainer = mlContext.MulticlassClassification.Trainers.Lstm(Options<LstmMulticlassTrainer.Options>());

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(
            Tokenize(mlContext).Fit(mlContext.Data.LoadFromEnumerable(TopicSentences(3, seed: 1))).Transform(mlContext.Data.LoadFromEnumerable(TopicSentences(3, seed: 1)))));

        Assert.Contains("label column 'Label' is String", error.Message);
        Assert.Contains("MapValueToKey", error.Message);
    }

    [Fact]
    public void ZeroRows()
    {
        var error = FitBinary<ArgumentException>(mlContext.Data.LoadFromEnumerable(Array.Empty<TokenRow>()));

        Assert.Contains("The training data has no rows", error.Message);
    }

    [Fact]
    public void ValidationSetWhoseTokensWereMappedDifferently()
    {
        var train = mlContext.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = [1, 2], Label = true } });
        var validation = mlContext.Data.LoadFromEnumerable(new[] { new OtherKeyCountTokenRow { Tokens = [1, 2], Label = true } });
        var trainer = mlContext.BinaryClassification.Trainers.Lstm(Options<LstmBinaryTrainer.Options>());

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(train, validation));

        Assert.Contains("validation data's feature column 'Tokens'", error.Message);
        Assert.Contains("same MapValueToKey", error.Message);
    }

    [Fact]
    public void GetOutputSchemaRejectsAMissingLabel()
    {
        var data = mlContext.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = [1], Label = true } });
        var options = Options<LstmBinaryTrainer.Options>();
        options.LabelColumnName = "Sentiment";

        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => mlContext.BinaryClassification.Trainers.Lstm(options).GetOutputSchema(ShapeOf(data.Schema)));

        Assert.Contains("Label column 'Sentiment'", error.Message);
    }

    [Fact]
    public void OptionOutOfRangeIsRejectedWhenTheTrainerIsMade()
    {
        var options = Options<LstmBinaryTrainer.Options>();
        options.HiddenSize = 0;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.BinaryClassification.Trainers.Lstm(options));

        Assert.Equal("HiddenSize", error.ParamName);
    }

    private static LstmRegressionTrainer.Options WithTwoFeaturesPerStep(LstmRegressionTrainer.Options options)
    {
        options.FeaturesPerStep = 2;
        return options;
    }
}

/// <summary>Token keys out of 5 with a binary label (LoadFromEnumerable reads key members 0-based: 0 is key 1).</summary>
public sealed class TokenRow
{
    [KeyType(5)]
    [VectorType]
    public uint[] Tokens { get; set; } = [];

    public bool Label { get; set; }
}

/// <summary>Token keys out of 9: a different vocabulary than <see cref="TokenRow"/>'s.</summary>
public sealed class OtherKeyCountTokenRow
{
    [KeyType(9)]
    [VectorType]
    public uint[] Tokens { get; set; } = [];

    public bool Label { get; set; }
}

/// <summary>Token keys with a key label out of 3 classes (both read 0-based by LoadFromEnumerable).</summary>
public sealed class KeyLabelRow
{
    [KeyType(5)]
    [VectorType]
    public uint[] Tokens { get; set; } = [];

    [KeyType(3)]
    public uint Label { get; set; }
}
