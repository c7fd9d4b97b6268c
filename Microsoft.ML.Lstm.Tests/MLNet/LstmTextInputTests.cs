using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// The trainers read a text column directly: the text is normalized and split into words, the vocabulary is built at
/// Fit and saved with the model, and scoring reads text the same way, unknown words as the unknown token.
/// </summary>
public class LstmTextInputTests
{
    private static TOptions TextOptions<TOptions>(int epochs = 15) where TOptions : LstmTrainerOptionsBase, new() =>
        Tiny<TOptions>(featureColumnName: "Text", epochs: epochs);

    private static SequenceBinaryClassificationTransformer FitReviews(MLContext mlContext, LstmBinaryTrainer.Options options, int rows = 64) =>
        mlContext.BinaryClassification.Trainers.Lstm(options).Fit(mlContext.Data.LoadFromEnumerable(Reviews(rows, seed: 1)));

    [Fact]
    public void BinaryTrainerFitsATextColumnAndPredicts()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView test = mlContext.Data.LoadFromEnumerable(Reviews(32, seed: 2));

        var model = FitReviews(mlContext, TextOptions<LstmBinaryTrainer.Options>());
        var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(test));

        Assert.True(metrics.Accuracy >= 0.9, $"accuracy {metrics.Accuracy}");
        var engine = mlContext.Model.CreatePredictionEngine<SentenceRow, BinaryPrediction>(model);
        Assert.True(engine.Predict(new SentenceRow { Text = "The plot was REALLY great!" }).PredictedLabel);
        Assert.False(engine.Predict(new SentenceRow { Text = "the movie, it was awful." }).PredictedLabel);
    }

    [Fact]
    public void TextColumnScoresAsTheSameWordsGivenAsKeysWould()
    {
        var mlContext = new MLContext(seed: 1);
        var model = FitReviews(mlContext, TextOptions<LstmBinaryTrainer.Options>(epochs: 3));
        TextVocabulary vocabulary = model.Features.Vocabulary!;
        string[] texts = ["the plot was great", "Awful, boring movie!", "zebra quantum good"];

        float[] scores = [.. model.Transform(mlContext.Data.LoadFromEnumerable(texts.Select(text => new SentenceRow { Text = text })))
            .GetColumn<float>("Score")];

        for (int i = 0; i < texts.Length; i++)
        {
            int[] ids = [.. vocabulary.Tokenizer.Split(texts[i]).Select(word => vocabulary.IdOf(word))];
            var prediction = new float[1];
            model.Model.Predict(ids, prediction);
            Assert.Equal(BitConverter.SingleToInt32Bits(prediction[0]), BitConverter.SingleToInt32Bits(scores[i]));
        }
    }

    [Fact]
    public void MulticlassAndRegressionTrainersReadATextColumn()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView topics = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Fit(mlContext.Data.LoadFromEnumerable(TopicSentences(60, seed: 1)))
            .Transform(mlContext.Data.LoadFromEnumerable(TopicSentences(60, seed: 1)));
        var multiclass = mlContext.MulticlassClassification.Trainers.Lstm(TextOptions<LstmMulticlassTrainer.Options>()).Fit(topics);
        Assert.True(mlContext.MulticlassClassification.Evaluate(multiclass.Transform(topics)).MicroAccuracy >= 0.9);

        // The regression target: how many positive words the review holds (0 or 1), learned from the text.
        IDataView reviews = mlContext.Data.LoadFromEnumerable(Reviews(64, seed: 1).Select(row => new TextTargetRow { Text = row.Text, Label = row.Label ? 1 : 0 }));
        var regression = mlContext.Regression.Trainers.Lstm(TextOptions<LstmRegressionTrainer.Options>()).Fit(reviews);
        Assert.True(mlContext.Regression.Evaluate(regression.Transform(reviews)).RootMeanSquaredError < 0.25);
        Assert.NotNull(regression.Features.Vocabulary);
    }

    [Fact]
    public void TextModelLoadsInANewContextAndScoresBitIdentically()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(Reviews(64, seed: 1));
        IDataView test = mlContext.Data.LoadFromEnumerable(Reviews(32, seed: 2).Append(new SentenceRow { Text = "zebra, quantum!" }).Append(new SentenceRow { Text = " ?! " }));
        var options = TextOptions<LstmBinaryTrainer.Options>(epochs: 3);
        options.KeepPunctuation = true;
        options.LowercaseText = false;
        var model = mlContext.BinaryClassification.Trainers.Lstm(options).Fit(train);

        var loaded = Assert.IsType<SequenceBinaryClassificationTransformer>(SaveAndLoadInNewContext(mlContext, model, train.Schema));

        Assert.Equal(model.Features.Vocabulary, loaded.Features.Vocabulary);
        Assert.Equal(new TextTokenizer(Lowercase: false, KeepPunctuation: true), loaded.Features.Vocabulary!.Tokenizer);
        Assert.Equal(FloatBits(model.Transform(test), "Score"), FloatBits(loaded.Transform(test), "Score"));
        Assert.Equal(FloatBits(model.Transform(test), "Probability"), FloatBits(loaded.Transform(test), "Probability"));
    }

    [Fact]
    public void SameSeedGivesTheSameTextModel()
    {
        List<int> Scores()
        {
            var mlContext = new MLContext(seed: 3);
            var model = FitReviews(mlContext, TextOptions<LstmBinaryTrainer.Options>(epochs: 2));
            return FloatBits(model.Transform(mlContext.Data.LoadFromEnumerable(Reviews(16, seed: 2))), "Score");
        }

        Assert.Equal(Scores(), Scores());
    }

    [Fact]
    public void KeyModelFileHoldsNoTextSectionAndTextModelFileDoes()
    {
        var mlContext = new MLContext(seed: 1);
        var textModel = FitReviews(mlContext, TextOptions<LstmBinaryTrainer.Options>(epochs: 1), rows: 8);
        var keyModel = LstmTestData.Tokenize(mlContext)
            .Append(mlContext.BinaryClassification.Trainers.Lstm(Tiny<LstmBinaryTrainer.Options>(epochs: 1)))
            .Fit(mlContext.Data.LoadFromEnumerable(Reviews(8, seed: 1))).LastTransformer;

        Assert.True(ModelFileOf(textModel).Contains(SequenceTransformerFile.TextSection));
        Assert.False(ModelFileOf(keyModel).Contains(SequenceTransformerFile.TextSection));
        Assert.Null(keyModel.Features.Vocabulary);
    }

    [Fact]
    public void VocabularyOptionsDecideWhichWordsAreKnown()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = new[]
        {
            new SentenceRow { Text = "Good good GOOD film", Label = true },
            new SentenceRow { Text = "bad BAD film, film!", Label = false },
            new SentenceRow { Text = "rare words", Label = true },
        };
        IDataView data = mlContext.Data.LoadFromEnumerable(rows);
        TextVocabulary Fit(Action<LstmBinaryTrainer.Options> configure)
        {
            var options = TextOptions<LstmBinaryTrainer.Options>(epochs: 1);
            options.MinimumWordCount = 1;
            configure(options);
            return mlContext.BinaryClassification.Trainers.Lstm(options).Fit(data).Features.Vocabulary!;
        }

        Assert.Equal(2, new LstmBinaryTrainer.Options().MinimumWordCount);
        Assert.Equal(["film", "good", "bad"], Fit(options => options.MinimumWordCount = 2).Words);
        Assert.Equal(["film", "good", "bad", "rare", "words"], Fit(_ => { }).Words);
        Assert.Equal(["film", "good"], Fit(options => options.MinimumWordCount = 3).Words);
        Assert.Equal(["film", "good", "bad"], Fit(options => options.MaximumVocabularySize = 3).Words);
        Assert.Equal(["film", "BAD", "GOOD", "Good", "bad", "good", "rare", "words"], Fit(options => options.LowercaseText = false).Words);
        Assert.Equal(["film", "good", "bad", "!", ",", "rare", "words"], Fit(options => options.KeepPunctuation = true).Words);
    }

    [Fact]
    public void UnknownWordsAndBlankTextScoreAsTheUnknownToken()
    {
        var mlContext = new MLContext(seed: 1);
        var model = FitReviews(mlContext, TextOptions<LstmBinaryTrainer.Options>(epochs: 2));
        int unknown = model.Features.Vocabulary!.UnknownId;
        var one = new float[1];
        var two = new float[1];
        model.Model.Predict([unknown], one);
        model.Model.Predict([unknown, unknown], two);

        float[] scores = [.. model.Transform(mlContext.Data.LoadFromEnumerable(new[] { "", "  ... ", "zebra", "zebra quantum" }
            .Select(text => new SentenceRow { Text = text }))).GetColumn<float>("Score")];

        Assert.Equal(Bits([one[0], one[0], one[0], two[0]]), Bits(scores));
    }

    [Fact]
    public void BlankTrainingTextFailsNamingTheColumnAndRow()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = Reviews(6, seed: 1);
        rows[4].Text = " -- ";
        int epochs = 0;
        var options = TextOptions<LstmBinaryTrainer.Options>(epochs: 1);
        options.Progress = new Progress<LstmTrainingProgress>(_ => Interlocked.Increment(ref epochs));

        var error = Assert.Throws<InvalidOperationException>(() => mlContext.BinaryClassification.Trainers.Lstm(options).Fit(mlContext.Data.LoadFromEnumerable(rows)));

        Assert.Contains("Column 'Text', row 4 of the training data", error.Message);
        Assert.Contains("holds no words", error.Message);
        Assert.Equal(0, epochs);
    }

    [Fact]
    public void BlankValidationTextFailsNamingTheValidationData()
    {
        var mlContext = new MLContext(seed: 1);
        var validation = Reviews(4, seed: 2);
        validation[1].Text = "";

        var error = Assert.Throws<InvalidOperationException>(() => mlContext.BinaryClassification.Trainers.Lstm(TextOptions<LstmBinaryTrainer.Options>(epochs: 1))
            .Fit(mlContext.Data.LoadFromEnumerable(Reviews(8, seed: 1)), mlContext.Data.LoadFromEnumerable(validation)));

        Assert.Contains("Column 'Text', row 1 of the validation data", error.Message);
    }

    [Fact]
    public void MinimumCountThatLeavesNoWordFails()
    {
        var mlContext = new MLContext(seed: 1);
        var options = TextOptions<LstmBinaryTrainer.Options>(epochs: 1);
        options.MinimumWordCount = 1000;

        var error = Assert.Throws<ArgumentException>(() => FitReviews(mlContext, options, rows: 8));

        Assert.Contains("'Text'", error.Message);
        Assert.Contains("MinimumWordCount", error.Message);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, -1)]
    public void BadVocabularyOptionsAreRefused(int minimumCount, int maximumSize)
    {
        var options = TextOptions<LstmBinaryTrainer.Options>();
        options.MinimumWordCount = minimumCount;
        options.MaximumVocabularySize = maximumSize;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext().BinaryClassification.Trainers.Lstm(options));

        Assert.Contains(minimumCount == 0 ? "MinimumWordCount" : "MaximumVocabularySize", error.Message);
    }

    [Fact]
    public void ValidationSetOfKeysBesideATrainingTextColumnIsRefused()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(Reviews(8, seed: 1));
        IDataView keys = LstmTestData.Tokenize(mlContext).Fit(train).Transform(train);
        var options = TextOptions<LstmBinaryTrainer.Options>(epochs: 1);
        options.FeatureColumnName = "Tokens";
        IDataView text = mlContext.Transforms.CopyColumns("Tokens", "Text").Fit(train).Transform(train);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.BinaryClassification.Trainers.Lstm(options).Fit(text, keys));

        Assert.Contains("same kind of sequence", error.Message);
    }

    [Fact]
    public void GetOutputSchemaOfATextColumnAgreesWithTransform()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(Reviews(16, seed: 1));
        var trainer = mlContext.BinaryClassification.Trainers.Lstm(TextOptions<LstmBinaryTrainer.Options>(epochs: 1));

        SchemaShape promised = trainer.GetOutputSchema(ShapeOf(train.Schema));
        DataViewSchema produced = trainer.Fit(train).Transform(train).Schema;

        AssertSchemaAgrees(promised, produced, "Score", "Probability", "PredictedLabel");
    }

    [Fact]
    public void GetOutputSchemaRefusesAColumnThatIsNeitherTextNorKeysNorFloats()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(Reviews(4, seed: 1));
        var options = TextOptions<LstmBinaryTrainer.Options>();
        options.FeatureColumnName = "Label";

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.BinaryClassification.Trainers.Lstm(options).GetOutputSchema(ShapeOf(train.Schema)));

        Assert.Contains("Feature column 'Label': expected String (text), a vector of keys", error.Message);
        Assert.Contains("found Boolean", error.Message);
    }

    [Fact]
    public void TextModelRefusesToScoreAColumnOfKeys()
    {
        var mlContext = new MLContext(seed: 1);
        var model = FitReviews(mlContext, TextOptions<LstmBinaryTrainer.Options>(epochs: 1), rows: 8);
        IDataView train = mlContext.Data.LoadFromEnumerable(Reviews(8, seed: 1));
        IDataView keys = mlContext.Transforms.Text.TokenizeIntoWords("Text").Append(mlContext.Transforms.Conversion.MapValueToKey("Text")).Fit(train).Transform(train);

        var error = Assert.ThrowsAny<Exception>(() => model.Transform(keys));

        Assert.Contains("String (text)", error.Message);
    }

    [Fact]
    public void TaggerRefusesATextColumnSayingItTagsGivenTokens()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView data = mlContext.Data.LoadFromEnumerable(Reviews(4, seed: 1));
        var options = Tiny<LstmTaggerTrainer.Options>(featureColumnName: "Text", epochs: 1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.MulticlassClassification.Trainers.LstmTagger(options).Fit(data));

        Assert.Contains("'Text' is String", error.Message);
        Assert.Contains("expected a vector of keys", error.Message);
    }

    [Fact]
    public void TrainingLogsTheVocabulary()
    {
        var messages = new List<string>();
        var mlContext = new MLContext(seed: 1);
        mlContext.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var options = TextOptions<LstmBinaryTrainer.Options>(epochs: 1);
        options.MinimumWordCount = 2;

        FitReviews(mlContext, options, rows: 16);

        Assert.Contains(messages, message => message.Contains("Text column 'Text': ") && message.Contains(" distinct (seen at least 2 times), lower-cased, punctuation dropped; other words are the unknown token."));
    }

    [Fact]
    public void LoadRefusesATextSectionThatDoesNotFitTheNetwork()
    {
        var mlContext = new MLContext(seed: 1);
        var model = FitReviews(mlContext, TextOptions<LstmBinaryTrainer.Options>(epochs: 1), rows: 8);
        var builder = new TextVocabulary.Builder(model.Features.Vocabulary!.Tokenizer);
        builder.Add("one word");
        using var stream = new MemoryStream();
        SequenceTransformerFile.Write(stream, model.Model, model.Features with { Vocabulary = builder.Build(1, 0) }, _ => { });
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => SequenceTransformerFile.Read(stream));

        Assert.Contains("The text vocabulary holds 2 words", error.Message);
    }

    private static ModelFile ModelFileOf(SequencePredictionTransformerBase transformer)
    {
        using var stream = new MemoryStream();
        SequenceTransformerFile.Write(stream, transformer.Model, transformer.Features, _ => { });
        stream.Position = 0;
        return ModelFile.Read(stream, maxBytes: int.MaxValue);
    }
}

/// <summary>A text with a numeric target.</summary>
public sealed class TextTargetRow
{
    public string Text { get; set; } = "";

    public float Label { get; set; }
}
