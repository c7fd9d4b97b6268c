using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// <c>FeaturizeByLstm</c> over a text column: its own vocabulary (as the trainers build one), saved with it, read again
/// by a classifier pretrained from it on the same text column; the ULMFiT options of that classifier; bad input.
/// </summary>
public class LstmFeaturizingTextInputTests
{
    private static LstmFeaturizingEstimator.Options Small(int epochs = 3) => new()
    {
        OutputColumnName = "Vector", InputColumnName = "Text", HiddenSize = 12, EmbeddingSize = 12, Epochs = epochs,
        BatchSize = 16, LearningRate = 0.01, Dropout = 0, NumberOfThreads = 1, Seed = 1,
    };

    [Fact]
    public void TextColumnIsSplitIntoWordsReadThroughItsVocabularyAndSavedWithIt()
    {
        var ml = new MLContext(seed: 1);
        SentenceRow[] rows = Reviews(60, seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        LstmFeaturizingEstimator estimator = ml.Transforms.FeaturizeByLstm(Small());
        LstmFeaturizingTransformer featurizer = estimator.Fit(data);
        IDataView scored = featurizer.Transform(data);
        AssertSchemaAgrees(estimator.GetOutputSchema(ShapeOf(data.Schema)), scored.Schema, "Vector");
        Assert.Equal(12 * 2 * 3, featurizer.OutputSize);

        // The case folded and the words split as a text-column trainer does: "Great" reads as "great".
        var shouting = new SentenceRow { Text = rows[0].Text.ToUpperInvariant() };
        var engine = ml.Model.CreatePredictionEngine<SentenceRow, VectorRow>(featurizer);
        Assert.Equal(engine.Predict(rows[0]).Vector, engine.Predict(shouting).Vector);

        var loaded = (LstmFeaturizingTransformer)SaveAndLoadInNewContext(ml, featurizer, data.Schema);
        Assert.Equal(Vectors(scored), Vectors(loaded.Transform(data)));
        Assert.Equal(featurizer.EvaluateLanguageModel(data).CrossEntropy, loaded.EvaluateLanguageModel(data).CrossEntropy);
        Assert.True(featurizer.EvaluateLanguageModel(data).Perplexity < 30, "a language model over 60 short reviews of a handful of words");

        // Generation splits the prefix as the texts were split, and writes words of the vocabulary.
        var options = new LstmGenerationOptions { MaxTokens = 6, Seed = 2 };
        string[] generated = featurizer.Generate(["The MOVIE"], options);
        Assert.Equal(generated, featurizer.Generate(["the", "movie"], options));
        Assert.Equal(generated, loaded.Generate(["the movie"], options));
        HashSet<string> words = [.. rows.SelectMany(row => row.Text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))];
        Assert.All(generated, word => Assert.Contains(word, words));
    }

    [Fact]
    public void TextFeaturizerTrainsAsKeysNumberingItsWordsInItsOrderWould()
    {
        // Reading the text column adds nothing of its own (no end-of-text token, no other default): given keys that
        // number the same words in the vocabulary's order (most frequent first; rare words the missing key, as they
        // are the unknown token), the same options give the same vectors and language model, bit for bit. Text and a
        // key pipeline that numbers the words otherwise differ only by which initial vector each word draws.
        var ml = new MLContext(seed: 1);
        SentenceRow[] rows = [.. Reviews(60, seed: 1), new SentenceRow { Text = "The plot, a zebra: GREAT!" }];
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        LstmFeaturizingTransformer text = ml.Transforms.FeaturizeByLstm(Small()).Fit(data);
        TextVocabulary vocabulary = text.Features.Vocabulary!;
        Assert.DoesNotContain("zebra", vocabulary.Words);

        IDataView words = ml.Data.LoadFromEnumerable(rows.Select(row => new WordsRow { Words = [.. vocabulary.Tokenizer.Split(row.Text)] }));
        IDataView keyData = ml.Data.LoadFromEnumerable(vocabulary.Words.Select(word => new WordRow { Words = word }));
        IDataView keys = ml.Transforms.Conversion.MapValueToKey("Words", keyData: keyData).Fit(words).Transform(words);
        LstmFeaturizingEstimator.Options keyOptions = Small();
        keyOptions.InputColumnName = "Words";
        LstmFeaturizingTransformer byKeys = ml.Transforms.FeaturizeByLstm(keyOptions).Fit(keys);

        Assert.Equal(Vectors(text.Transform(data)), Vectors(byKeys.Transform(keys)));
        Assert.Equal(text.EvaluateLanguageModel(data).CrossEntropy, byKeys.EvaluateLanguageModel(keys).CrossEntropy);
    }

    [Fact]
    public void FittedTextFeaturizerExportsToOnnxAndMatchesThePackage()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Reviews(40, seed: 1));
        LstmFeaturizingEstimator.Options options = Small(epochs: 1);
        options.HiddenSize = 4;
        options.EmbeddingSize = 3;
        LstmFeaturizingTransformer featurizer = ml.Transforms.FeaturizeByLstm(options).Fit(data);
        // Unknown words, upper case, punctuation and blank texts, scored by ONNX Runtime as by the package.
        SequenceTransformerOnnxTextExportTests.AssertExportMatches(ml, featurizer, [.. Reviews(4, seed: 2).Select(row => row.Text), .. SequenceTransformerOnnxTextExportTests.Texts], "Vector");
    }

    [Fact]
    public void ClassifierOnTheTextColumnReadsItWithThePretrainedEncodersWords()
    {
        var ml = new MLContext(seed: 1);
        IDataView unlabelled = ml.Data.LoadFromEnumerable(Reviews(80, seed: 1));
        LstmFeaturizingTransformer featurizer = ml.Transforms.FeaturizeByLstm(Small(epochs: 2)).Fit(unlabelled);
        // Few labelled rows: alone, they would give a vocabulary of their own (here every word seen once, too).
        IDataView labelled = ml.Data.LoadFromEnumerable(Reviews(80, seed: 1).Take(16));
        var options = Tiny<LstmBinaryTrainer.Options>("Text", epochs: 4);
        options.PretrainedEncoder = featurizer;
        options.MinimumWordCount = 1; // ignored: the featurizer's words are read
        options.PretrainedEncoderLearningRateScale = 0.5;
        options.PretrainedEncoderFrozenEpochs = 1;
        SequenceBinaryClassificationTransformer classifier = ml.BinaryClassification.Trainers.Lstm(options).Fit(labelled);

        Assert.Equal(featurizer.Features.Vocabulary, classifier.Features.Vocabulary);
        Assert.Equal(featurizer.Network.Spec.Encoder.VocabularySize, classifier.Model.Spec.Encoder.VocabularySize);
        ParameterStore<float> trained = classifier.Model.Network.Parameters, pretrained = featurizer.Network.Parameters;
        Assert.False(trained.Value(trained.Find("embedding")).SequenceEqual(pretrained.Value(pretrained.Find("embedding"))), "the encoder was fine-tuned after its frozen epoch");
        var loaded = (SequenceBinaryClassificationTransformer)SaveAndLoadInNewContext(ml, classifier, labelled.Schema);
        Assert.Equal(classifier.Transform(unlabelled).GetColumn<float>("Score"), loaded.Transform(unlabelled).GetColumn<float>("Score"));

        // The same seed, options and data give the same model, bit for bit.
        SequenceBinaryClassificationTransformer again = ml.BinaryClassification.Trainers.Lstm(options).Fit(labelled);
        Assert.Equal(trained.Values, again.Model.Network.Parameters.Values);
    }

    [Fact]
    public void BadInputFailsNamingTheColumnTheRowOrTheOption()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Reviews(40, seed: 1));

        // A text without a word, named by its row.
        IDataView blank = ml.Data.LoadFromEnumerable(new[] { new SentenceRow { Text = "good movie" }, new SentenceRow { Text = "good film" }, new SentenceRow { Text = " ?! " } });
        var noWords = Assert.Throws<InvalidOperationException>(() => ml.Transforms.FeaturizeByLstm(Small()).Fit(blank));
        Assert.Contains("'Text'", noWords.Message);
        Assert.Contains("row 2", noWords.Message);
        // No word seen twice.
        IDataView rare = ml.Data.LoadFromEnumerable(new[] { new SentenceRow { Text = "good movie" }, new SentenceRow { Text = "bad film" } });
        Assert.Contains("MinimumWordCount", Assert.Throws<ArgumentException>(() => ml.Transforms.FeaturizeByLstm(Small()).Fit(rare)).Message);
        LstmFeaturizingEstimator.Options zero = Small();
        zero.MinimumWordCount = 0;
        Assert.Contains("MinimumWordCount", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FeaturizeByLstm(zero)).Message);

        // A text featurizer cannot start a classifier over keys, nor a key featurizer one over text.
        LstmFeaturizingTransformer text = ml.Transforms.FeaturizeByLstm(Small(epochs: 1)).Fit(data);
        IDataView tokens = Tokenize(ml).Fit(data).Transform(data);
        var overKeys = Tiny<LstmBinaryTrainer.Options>("Tokens", epochs: 1);
        overKeys.PretrainedEncoder = text;
        var keysError = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Lstm(overKeys).Fit(tokens));
        Assert.Contains("'Tokens'", keysError.Message);
        Assert.Contains("text", keysError.Message);
        LstmFeaturizingEstimator.Options keyOptions = Small(epochs: 1);
        keyOptions.InputColumnName = "Tokens";
        LstmFeaturizingTransformer keys = ml.Transforms.FeaturizeByLstm(keyOptions).Fit(tokens);
        var overText = Tiny<LstmBinaryTrainer.Options>("Text", epochs: 1);
        overText.PretrainedEncoder = keys;
        Assert.Contains("'Text'", Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Lstm(overText).Fit(tokens)).Message);

        // The text featurizer scores and evaluates text alone.
        Assert.Contains("Text", Assert.Throws<ArgumentOutOfRangeException>(() => text.EvaluateLanguageModel(
            ml.Transforms.CopyColumns("Text", "Tokens").Fit(tokens).Transform(tokens))).Message);

        // The ULMFiT options: in range, and only with a pretrained encoder.
        var scale = Tiny<LstmBinaryTrainer.Options>("Text", epochs: 4);
        scale.PretrainedEncoderLearningRateScale = 0.5;
        Assert.Contains("PretrainedEncoder", Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Lstm(scale)).Message);
        scale.PretrainedEncoder = text;
        scale.PretrainedEncoderLearningRateScale = 0;
        Assert.Contains("PretrainedEncoderLearningRateScale", Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Lstm(scale)).Message);
        scale.PretrainedEncoderLearningRateScale = 1;
        scale.PretrainedEncoderFrozenEpochs = 4;
        Assert.Contains("PretrainedEncoderFrozenEpochs", Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Lstm(scale)).Message);
    }

    private static float[][] Vectors(IDataView data) =>
        data.GetColumn<VBuffer<float>>("Vector").Select(v => v.DenseValues().ToArray()).ToArray();

    public sealed class WordsRow
    {
        public string[] Words { get; set; } = [];
    }

    public sealed class WordRow
    {
        public string Words { get; set; } = "";
    }

    public sealed class VectorRow
    {
        public float[] Vector { get; set; } = [];
    }
}
