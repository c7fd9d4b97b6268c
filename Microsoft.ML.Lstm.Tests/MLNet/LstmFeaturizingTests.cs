using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Tests.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// <c>FeaturizeByLstm</c>: unsupervised features for a downstream ML.NET trainer, the language model behind them
/// (generation, perplexity), a trained model's <c>AsFeaturizer</c>, pretraining a classifier from the featurizer,
/// save/load and bad input.
/// </summary>
public class LstmFeaturizingTests
{
    private static LstmFeaturizingEstimator.Options Small(string output = "Vector", string input = "Tokens", bool bidirectional = true, int epochs = 6) => new()
    {
        OutputColumnName = output,
        InputColumnName = input,
        HiddenSize = 16,
        EmbeddingSize = 16,
        Bidirectional = bidirectional,
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.01,
        Dropout = 0,
        NumberOfThreads = 1,
        Seed = 1,
    };

    /// <summary>The order-dependent sentiment task as text: "… not good … but awful …" is labelled by the clause after "but".</summary>
    private static LabelledSentence[] OrderSensitive(int count, int seed) =>
        OrderSensitiveSentiment.Generate(count, seed)
            .Select(e => new LabelledSentence
            {
                Text = string.Join(' ', e.Tokens.Select(t => OrderSensitiveSentiment.Vocabulary[t])),
                Label = e.Label == 1 ? "positive" : "negative",
            })
            .ToArray();

    [Fact]
    public void UnsupervisedFeaturesWithSdcaClassifyAnOrderDependentTaskFarAboveChanceAndBagOfWords()
    {
        var ml = new MLContext(seed: 1);
        IDataView unlabelled = ml.Data.LoadFromEnumerable(OrderSensitive(3000, seed: 1));
        IDataView labelled = ml.Data.LoadFromEnumerable(OrderSensitive(300, seed: 2));
        IDataView test = ml.Data.LoadFromEnumerable(OrderSensitive(500, seed: 3));

        // The featurizer learns from text alone; SDCA sees 300 labels.
        LstmFeaturizingEstimator.Options options = Small(epochs: 10);
        options.HiddenSize = 32;
        var featurizer = Tokenize(ml).Append(ml.Transforms.FeaturizeByLstm(options)).Fit(unlabelled);
        var classifier = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Vector"))
            .Fit(ml.Data.Cache(featurizer.Transform(labelled)));
        double lstm = ml.MulticlassClassification.Evaluate(classifier.Transform(featurizer.Transform(test))).MicroAccuracy;

        // A bag of words: each word's count, no n-grams of words or characters (which would read some order).
        var words = new Microsoft.ML.Transforms.Text.TextFeaturizingEstimator.Options
        {
            WordFeatureExtractor = new Microsoft.ML.Transforms.Text.WordBagEstimator.Options { NgramLength = 1 },
            CharFeatureExtractor = null,
        };
        var bagOfWords = ml.Transforms.Text.FeaturizeText("Vector", words, "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Vector"))
            .Fit(labelled);
        double bag = ml.MulticlassClassification.Evaluate(bagOfWords.Transform(test)).MicroAccuracy;

        Assert.True(lstm >= 0.8 && lstm >= bag + 0.15, $"LSTM features {lstm:P1}, bag of words {bag:P1}");
    }

    [Fact]
    public void LanguageModelBeatsTheUnigramBaselineAndGenerationRepeatsAndMatchesStepByStepScoring()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Cycles(300, seed: 1));
        IDataView test = ml.Data.LoadFromEnumerable(Cycles(60, seed: 2));
        var pipeline = Characters(ml).Append(ml.Transforms.FeaturizeByLstm(Small(input: "Chars", bidirectional: false, epochs: 8)));
        var model = pipeline.Fit(train);
        var featurizer = model.LastTransformer;

        // Unigram: every one of the 8 letters equally often, ln 8 nats; the cycle makes the next letter certain.
        LanguageModelMetrics metrics = featurizer.EvaluateLanguageModel(model.Transform(test));
        Assert.True(metrics.CrossEntropy < 0.2 * Math.Log(8), $"{metrics.CrossEntropy:F3} nats per character");
        Assert.Equal(metrics.CrossEntropy / Math.Log(2), metrics.BitsPerToken, 12);
        Assert.True(metrics.Perplexity < 1.5);

        Assert.Equal(["d", "e", "f", "g", "h", "a"], featurizer.Generate(["a", "b", "c"], new LstmGenerationOptions { MaxTokens = 6, Temperature = 0 }));
        Assert.Equal(["d", "e"], featurizer.Generate(["a", "b", "c"], new LstmGenerationOptions { MaxTokens = 6, Temperature = 0, StopTokens = ["e"] }));

        var sampling = new LstmGenerationOptions { MaxTokens = 40, Temperature = 3, Seed = 5 };
        string[] first = featurizer.Generate(["a"], sampling), again = featurizer.Generate(["a"], sampling);
        Assert.Equal(first, again);
        Assert.NotEqual(first, featurizer.Generate(["a"], new LstmGenerationOptions { MaxTokens = 40, Temperature = 3, Seed = 6 }));

        // Greedy generation one step at a time takes, at each step, the argmax of the whole sequence scored at once.
        uint[] prefix = featurizer.Generate(["c"], new LstmGenerationOptions { MaxTokens = 1, Temperature = 0 }).Length == 1 ? [3u, 7u, 2u] : [];
        uint[] greedy = featurizer.Generate(prefix, new LstmGenerationOptions { MaxTokens = 12, Temperature = 0 });
        SequenceNetwork<float> forward = featurizer.ForwardModel();
        int[] tokens = [.. prefix.Concat(greedy).Select(key => (int)key - 1)];
        float[] logits = forward.CloneForInference().Predict(SequenceBatch<float>.FromTokens([tokens])).ToArray();
        int vocabulary = forward.Spec.Encoder.VocabularySize;
        for (int i = 0; i < greedy.Length; i++)
        {
            int step = prefix.Length - 1 + i;
            Assert.Equal(Classification.ArgMax<float>(logits.AsSpan(step * vocabulary, vocabulary)) + 1, (int)greedy[i]);
        }
    }

    [Fact]
    public void SavedAndLoadedFeaturizerWritesTheSameVectorsAndGeneratesTheSameText()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Reviews(60, seed: 1));
        var estimator = Tokenize(ml).Append(ml.Transforms.FeaturizeByLstm(Small(epochs: 2)));
        var model = estimator.Fit(data);
        IDataView scored = model.Transform(data);
        AssertSchemaAgrees(estimator.GetOutputSchema(ShapeOf(data.Schema)), scored.Schema, "Vector");
        var column = scored.Schema["Vector"];
        Assert.Equal(16 * 2 * 3, ((VectorDataViewType)column.Type).Size);
        VBuffer<ReadOnlyMemory<char>> slots = default;
        column.GetSlotNames(ref slots);
        Assert.Equal("LastState.Forward0", slots.GetItemOrDefault(0).ToString());
        Assert.Equal("Max.Backward15", slots.GetItemOrDefault(95).ToString());

        var loaded = (TransformerChain<ITransformer>)SaveAndLoadInNewContext(ml, model, data.Schema);
        float[][] before = Vectors(scored), after = Vectors(loaded.Transform(data));
        Assert.Equal(before, after);
        Assert.All(before, vector => Assert.All(vector, value => Assert.True(float.IsFinite(value))));
        var options = new LstmGenerationOptions { MaxTokens = 10, Seed = 3 };
        var reloaded = (LstmFeaturizingTransformer)loaded.LastTransformer;
        Assert.Equal(model.LastTransformer.Generate(["the", "movie"], options), reloaded.Generate(["the", "movie"], options));
        Assert.Equal(model.LastTransformer.EvaluateLanguageModel(model.Transform(data)).CrossEntropy, reloaded.EvaluateLanguageModel(model.Transform(data)).CrossEntropy);

        var engine = ml.Model.CreatePredictionEngine<SentenceRow, VectorRow>(loaded);
        Assert.Equal(before[3], engine.Predict(Reviews(60, seed: 1)[3]).Vector);
    }

    [Fact]
    public void FloatStepsAreLearnedByRegressionOfTheNextStepAndFeaturized()
    {
        var ml = new MLContext(seed: 1);
        // Sine waves of a random frequency and phase, in the units of a sensor (offset 50, amplitude 20).
        var random = new Random(1);
        BinarySequenceRow[] rows = [.. Enumerable.Range(0, 200).Select(_ =>
        {
            double frequency = 0.2 + random.NextDouble() * 0.6, phase = random.NextDouble() * 6.28;
            return new BinarySequenceRow { Features = [.. Enumerable.Range(0, random.Next(8, 20)).Select(t => (float)(50 + 20 * Math.Sin(frequency * t + phase)))] };
        })];
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var progress = new List<LstmTrainingProgress>();
        LstmFeaturizingEstimator.Options options = Small(input: "Features", epochs: 8);
        options.Progress = new Progress(progress.Add);
        options.ValidationFraction = 0.2;
        var estimator = ml.Transforms.FeaturizeByLstm(options);
        LstmFeaturizingTransformer featurizer = estimator.Fit(data);

        // Standardized steps: predicting the mean scores 1; a model of the wave, far less.
        Assert.True(progress[^1].ValidationLoss < 0.2, $"held-out mean squared error {progress[^1].ValidationLoss:F3}");
        IDataView scored = featurizer.Transform(data);
        AssertSchemaAgrees(estimator.GetOutputSchema(ShapeOf(data.Schema)), scored.Schema, "Vector");
        float[][] vectors = Vectors(scored);
        Assert.Equal(96, vectors[0].Length);
        var reloaded = (LstmFeaturizingTransformer)SaveAndLoadInNewContext(ml, featurizer, data.Schema);
        Assert.Equal(vectors, Vectors(reloaded.Transform(data)));
        Assert.Contains("float steps", Assert.Throws<InvalidOperationException>(() => featurizer.Generate([1u])).Message);
    }

    private sealed class Progress(Action<LstmTrainingProgress> report) : IProgress<LstmTrainingProgress>
    {
        public void Report(LstmTrainingProgress value) => report(value);
    }

    [Theory]
    [InlineData(SequencePoolingMode.Max, true)]
    [InlineData(SequencePoolingMode.LastState, true)]
    [InlineData(SequencePoolingMode.Mean, false)]
    public void AsFeaturizerWritesTheClassifiersPooledVectorBitForBit(SequencePoolingMode pooling, bool bidirectional)
    {
        var ml = new MLContext(seed: 1);
        SentenceRow[] rows = Reviews(40, seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var options = Tiny<LstmBinaryTrainer.Options>(epochs: 2);
        options.Pooling = pooling;
        options.Bidirectional = bidirectional;
        var model = Tokenize(ml).Append(ml.BinaryClassification.Trainers.Lstm(options)).Fit(data);
        LstmFeaturizingTransformer featurizer = model.LastTransformer.AsFeaturizer("Pooled");
        Assert.False(featurizer.IsLanguageModel);
        IDataView tokens = ((ITransformer)new TransformerChain<ITransformer>(model.Take(model.Count() - 1).ToArray())).Transform(data);
        float[][] vectors = Vectors(featurizer.Transform(tokens), "Pooled");

        // The classifier's own pooled vector: its encoder's outputs through the pooling its head applies.
        SequenceNetwork<float> network = model.LastTransformer.Model.Network;
        int features = network.Spec.Encoder.OutputSize;
        var pool = new SequencePooling<float>(LstmOptionsMappingOf(pooling), features, bidirectional ? 2 : 1, null, "check", null);
        int[][] sequences = TokenIds(tokens);
        for (int i = 0; i < sequences.Length; i++)
        {
            EncodedBatch<float> encoded = network.Encoder.Forward(SequenceBatch<float>.FromTokens([sequences[i]]), training: false);
            var expected = new float[features];
            pool.Forward(encoded.Layout, encoded.Features, expected);
            Assert.Equal(expected, vectors[i]);
        }

        var reloaded = (LstmFeaturizingTransformer)SaveAndLoadInNewContext(ml, featurizer, tokens.Schema);
        Assert.Equal(vectors, Vectors(reloaded.Transform(tokens), "Pooled"));
        Assert.Throws<InvalidOperationException>(() => featurizer.Generate([1u]));
    }

    [Fact]
    public void AsFeaturizerOfATaggerPoolsItsTokenFeaturesAndOfARegressorKeepsItsPooling()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Reviews(30, seed: 1).Select(r => new TopicRow { Text = r.Text, Label = r.Label ? "a" : "b" }));
        var regression = Tokenize(ml)
            .Append(ml.Transforms.CustomMapping((TopicRow input, NumberRow output) => output.Number = input.Text.Length, contractName: null))
            .Append(ml.Regression.Trainers.Lstm(new LstmRegressionTrainer.Options { FeatureColumnName = "Tokens", LabelColumnName = "Number", HiddenSize = 4, EmbeddingSize = 4, Epochs = 1, NumberOfThreads = 1, Pooling = SequencePoolingMode.Mean }))
            .Fit(data);
        LstmFeaturizingTransformer featurizer = regression.LastTransformer.AsFeaturizer();
        Assert.Equal(8, featurizer.OutputSize);
        Assert.All(Vectors(featurizer.Transform(regression.Transform(data)), "Features"), v => Assert.Equal(8, v.Length));

        TaggedSentence[] sentences = TaggingTestData.Sentences(40, seed: 1, testNames: false);
        IDataView tagged = ml.Data.LoadFromEnumerable(sentences);
        var tagger = ml.Transforms.Conversion.MapValueToKey("TokenKeys", "Tokens")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", "Tags"))
            .Append(ml.MulticlassClassification.Trainers.LstmTagger(new LstmTaggerTrainer.Options
            {
                FeatureColumnName = "TokenKeys", CharacterColumnName = "Tokens", HiddenSize = 6, EmbeddingSize = 4, Epochs = 1, NumberOfThreads = 1,
            }))
            .Fit(tagged);
        LstmFeaturizingTransformer sentenceVectors = tagger.LastTransformer.AsFeaturizer("Sentence", LstmFeaturePooling.Mean | LstmFeaturePooling.Max);
        Assert.Equal(2 * 12, sentenceVectors.OutputSize);
        float[][] vectors = Vectors(sentenceVectors.Transform(tagger.Transform(tagged)), "Sentence");
        Assert.Equal(40, vectors.Length);
        Assert.All(vectors, v => Assert.All(v, value => Assert.True(float.IsFinite(value))));
        Assert.Throws<ArgumentOutOfRangeException>(() => tagger.LastTransformer.AsFeaturizer("Sentence", 0));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ClassifierStartsFromThePretrainedEncoderFrozenOrFineTuned(bool freeze)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Reviews(60, seed: 1));
        var tokenizer = Tokenize(ml).Fit(data);
        IDataView tokens = tokenizer.Transform(data);
        LstmFeaturizingTransformer featurizer = ml.Transforms.FeaturizeByLstm(Small(epochs: 2)).Fit(tokens);

        var options = Tiny<LstmBinaryTrainer.Options>(epochs: 8);
        options.PretrainedEncoder = featurizer;
        options.FreezePretrainedEncoder = freeze;
        options.HiddenSize = 5; // ignored: the pretrained encoder's architecture is kept
        var classifier = ml.BinaryClassification.Trainers.Lstm(options).Fit(tokens);
        ParameterStore<float> trained = classifier.Model.Network.Parameters, pretrained = featurizer.Network.Parameters;
        Assert.Equal(16, classifier.Model.Spec.Encoder.HiddenSize);
        ParameterView embedding = trained.Find("embedding");
        bool same = trained.Value(embedding).SequenceEqual(pretrained.Value(pretrained.Find("embedding")));
        Assert.True(freeze == same, $"{trained.Value(embedding).ToArray().Zip(pretrained.Value(pretrained.Find("embedding")).ToArray()).Count(p => p.First != p.Second)} of {embedding.Length} differ; frozen {trained.FrozenViews.Count}");
        double accuracy = ml.BinaryClassification.Evaluate(classifier.Transform(tokens)).Accuracy;
        // The reviews turn on one word; a frozen encoder leaves the output layer alone to find it.
        Assert.True(accuracy >= (freeze ? 0.65 : 0.9), $"accuracy {accuracy:P1}");
    }

    [Fact]
    public void BadInputFailsNamingTheColumnTheRowOrTheOption()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Tokenize(ml).Fit(ml.Data.LoadFromEnumerable(Reviews(20, seed: 1))).Transform(ml.Data.LoadFromEnumerable(Reviews(20, seed: 1)));

        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FeaturizeByLstm(Small(input: "Nope")).Fit(data));
        Assert.Contains("'Nope'", missing.Message);
        var notKeys = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FeaturizeByLstm(Small(input: "Label")).Fit(data));
        Assert.Contains("'Label'", notKeys.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FeaturizeByLstm(Small(input: "Label")).GetOutputSchema(ShapeOf(data.Schema)));

        IDataView floats = ml.Data.LoadFromEnumerable(new[] { new BinarySequenceRow { Features = [1, 2, 3] } });
        LstmFeaturizingEstimator.Options pairs = Small(input: "Features");
        pairs.FeaturesPerStep = 2;
        var oddLength = Assert.Throws<InvalidOperationException>(() => ml.Transforms.FeaturizeByLstm(pairs).Fit(floats));
        Assert.Contains("Features", oddLength.Message);
        Assert.Contains("row 0", oddLength.Message);

        var options = Small();
        options.LayerCount = 2;
        var layers = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FeaturizeByLstm(options));
        Assert.Contains("LayerCount", layers.Message);
        options.LayerCount = 1;
        options.Pooling = 0;
        Assert.Contains("Pooling", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FeaturizeByLstm(options)).Message);

        // An empty row: named by its number.
        IDataView withEmpty = Tokenize(ml).Fit(data).Transform(ml.Data.LoadFromEnumerable(new[] { new SentenceRow { Text = "good movie" }, new SentenceRow { Text = "" } }));
        var empty = Assert.Throws<InvalidOperationException>(() => ml.Transforms.FeaturizeByLstm(Small()).Fit(withEmpty));
        Assert.Contains("row 1", empty.Message);

        // A featurizer scoring data whose keys differ.
        LstmFeaturizingTransformer featurizer = ml.Transforms.FeaturizeByLstm(Small(epochs: 1)).Fit(data);
        IDataView otherKeys = Tokenize(ml).Fit(ml.Data.LoadFromEnumerable(new[] { new SentenceRow { Text = "x y" } })).Transform(ml.Data.LoadFromEnumerable(new[] { new SentenceRow { Text = "x y" } }));
        Exception mismatch = Record.Exception(() => featurizer.Transform(otherKeys));
        Assert.Contains("Tokens", mismatch.Message);
        Assert.Contains("Tokens", Assert.Throws<ArgumentOutOfRangeException>(() => featurizer.EvaluateLanguageModel(otherKeys)).Message);
        Assert.Throws<ArgumentException>(() => featurizer.Generate(Array.Empty<string>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => featurizer.Generate(["good"], new LstmGenerationOptions { TopP = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => featurizer.Generate([999u]));
    }

    private static PoolingMode LstmOptionsMappingOf(SequencePoolingMode mode) => Microsoft.ML.Lstm.MLNet.LstmOptionsMapping.ToEngine(mode);

    /// <summary>Rows of letters walking the cycle a → h → a from random starts, as "c d e f".</summary>
    private static SentenceRow[] Cycles(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int start = random.Next(8);
            return new SentenceRow { Text = new string(Enumerable.Range(0, random.Next(5, 20)).Select(t => (char)('a' + (start + t) % 8)).ToArray()) };
        }).ToArray();
    }

    /// <summary>Text → characters → keys, the keys in the order a … h.</summary>
    private static IEstimator<ITransformer> Characters(MLContext ml) =>
        ml.Transforms.Text.TokenizeIntoCharactersAsKeys("CharKeys", "Text", useMarkerCharacters: false)
            .Append(ml.Transforms.Conversion.MapKeyToValue("CharText", "CharKeys"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Chars", "CharText", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue));

    private static float[][] Vectors(IDataView data, string column = "Vector") =>
        data.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToArray();

    private static int[][] TokenIds(IDataView data) =>
        data.GetColumn<VBuffer<uint>>("Tokens").Select(v => v.DenseValues().Select(key => (int)key - 1).ToArray()).ToArray();

    public sealed class LabelledSentence
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }

    public sealed class VectorRow
    {
        public float[] Vector { get; set; } = [];
    }

    public sealed class NumberRow
    {
        public float Number { get; set; }
    }
}
