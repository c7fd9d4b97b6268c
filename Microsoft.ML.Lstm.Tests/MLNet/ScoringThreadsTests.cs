using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// <see cref="ScoringThreadsExtensions"/> on every job: rows long and layers wide enough that the scoring network splits
/// each step by hidden units (checked, so that the equality shows something) give the same bits on 1, 2 and 4 scoring
/// threads, through <c>Transform</c> and <c>PredictionEngine</c>; the choice is not saved, the transformer it was made
/// from is not changed, and bad arguments are refused by name.
/// </summary>
public class ScoringThreadsTests
{
    private const int Steps = 160;

    /// <summary>The jobs, by name, for xunit.</summary>
    public static TheoryData<string> Jobs() => new() { "binary classifier", "regressor", "tagger", "featurizer", "forecaster" };

    [Theory]
    [MemberData(nameof(Jobs))]
    public void EveryJobScoresTheSameBitsOnOneTwoAndFourThreadsAndLoadsOnOne(string job)
    {
        var mlContext = new MLContext(seed: 1);
        (ITransformer trained, IDataView data, int longest) = Fit(mlContext, job);
        string[] columns = OutputColumns(trained, data);
        List<string>[] expected = Scores(trained, data, columns);
        Assert.Equal(1, ThreadsOf(trained));
        AssertSplitsUnits(ModelOf(trained), longest, threads: 4);

        foreach (int threads in new[] { 2, 4 })
        {
            ITransformer scoring = WithThreads(trained, threads);
            Assert.Equal(trained.GetType(), scoring.GetType());
            Assert.Equal(threads, ThreadsOf(scoring));
            Assert.Equal(threads, ModelOf(scoring).PredictorThreads());
            Assert.Equal(expected, Scores(scoring, data, columns));
        }
        Assert.Equal(1, ThreadsOf(trained));
        Assert.Equal(1, ModelOf(trained).PredictorThreads());
        Assert.Equal(expected, Scores(trained, data, columns));

        // Not saved: a loaded model scores on one thread, the same bits, until given threads again.
        ITransformer loaded = LstmTestData.SaveAndLoadInNewContext(mlContext, WithThreads(trained, 4), data.Schema);
        Assert.Equal(1, ThreadsOf(loaded));
        Assert.Equal(expected, Scores(loaded, data, columns));
        ITransformer reloaded = loaded.WithScoringThreads(4);
        Assert.Equal(4, ThreadsOf(reloaded));
        Assert.Equal(expected, Scores(reloaded, data, columns));
    }

    [Fact]
    public void APredictionEngineOnFourThreadsEqualsTransformOnOne()
    {
        var mlContext = new MLContext(seed: 1);
        SentenceRow[] rows = LongReviews(6, seed: 3);
        var pipeline = LstmTestData.Tokenize(mlContext)
            .Append(mlContext.BinaryClassification.Trainers.Lstm(Wide(LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 1))));
        TransformerChain<SequenceBinaryClassificationTransformer> model = pipeline.Fit(mlContext.Data.LoadFromEnumerable(LongReviews(16, seed: 1)));
        float[] expected = [.. model.Transform(mlContext.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score")];

        ITransformer threaded = model.WithScoringThreads(4);
        Assert.Equal(4, ThreadsOf(((TransformerChain<ITransformer>)threaded).LastTransformer));
        Assert.Equal(1, model.LastTransformer.ScoringThreads);
        using var engine = mlContext.Model.CreatePredictionEngine<SentenceRow, BinaryPrediction>(threaded);
        for (int round = 0; round < 2; round++)
        {
            float[] actual = [.. rows.Select(row => engine.Predict(row).Score)];
            Assert.Equal(SequenceTestData.Bits(expected), SequenceTestData.Bits(actual));
        }
    }

    [Fact]
    public void APipelineKeepsItsOrderAndScopesAndLosesNothing()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView data = mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(24, seed: 1));
        var tokens = LstmTestData.Tokenize(mlContext).Fit(data);
        var classifier = mlContext.BinaryClassification.Trainers.Lstm(LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 1)).Fit(tokens.Transform(data));
        var chain = new TransformerChain<ITransformer>(
            [tokens, classifier.WithWeightPrecision(WeightPrecision.Int8)], [TransformerScope.Everything, TransformerScope.Scoring]);

        var threaded = (TransformerChain<ITransformer>)chain.WithScoringThreads(3);

        Assert.Same(tokens, threaded.First());
        var lstm = Assert.IsType<SequenceBinaryClassificationTransformer>(threaded.LastTransformer);
        Assert.Equal(3, lstm.ScoringThreads);
        Assert.Equal(WeightPrecision.Int8, lstm.WeightPrecision);
        Assert.Single(threaded.GetModelFor(TransformerScope.Training)); // the classifier is for scoring only, as before
        Assert.Equal(1, ((SequenceBinaryClassificationTransformer)chain.LastTransformer).ScoringThreads);
        Assert.Equal(SequenceTestData.FloatBits(chain.Transform(data), "Score"), SequenceTestData.FloatBits(threaded.Transform(data), "Score"));
    }

    [Fact]
    public void WeightPrecisionAndScoringThreadsKeepEachOther()
    {
        var mlContext = new MLContext(seed: 1);
        EstimatorCase estimatorCase = EstimatorCases.Named("binary over token keys");
        IDataView data = estimatorCase.TrainingData(mlContext);
        var trained = (SequenceBinaryClassificationTransformer)estimatorCase.Estimator(mlContext).Fit(data);

        SequenceBinaryClassificationTransformer threadsFirst = trained.WithScoringThreads(2).WithWeightPrecision(WeightPrecision.BFloat16);
        SequenceBinaryClassificationTransformer precisionFirst = trained.WithWeightPrecision(WeightPrecision.BFloat16).WithScoringThreads(2);

        foreach (SequenceBinaryClassificationTransformer both in new[] { threadsFirst, precisionFirst })
        {
            Assert.Equal(2, both.ScoringThreads);
            Assert.Equal(WeightPrecision.BFloat16, both.WeightPrecision);
        }
        Assert.Equal(1, trained.ScoringThreads);
        Assert.Equal(WeightPrecision.Float32, trained.WeightPrecision);
        Assert.Equal(SequenceTestData.FloatBits(threadsFirst.Transform(data), "Score"), SequenceTestData.FloatBits(precisionFirst.Transform(data), "Score"));
    }

    [Fact]
    public void AFeaturizerOfAThreadedClassifierScoresOnItsThreads()
    {
        var mlContext = new MLContext(seed: 1);
        EstimatorCase estimatorCase = EstimatorCases.Named("binary over token keys");
        var trained = (SequenceBinaryClassificationTransformer)estimatorCase.Estimator(mlContext).Fit(estimatorCase.TrainingData(mlContext));
        Assert.Equal(3, trained.WithScoringThreads(3).AsFeaturizer().ScoringThreads);
        Assert.Equal(1, trained.AsFeaturizer().ScoringThreads);
    }

    [Fact]
    public void RefusesFewerThanOneThreadNoTransformerAndAPipelineWithoutOne()
    {
        var mlContext = new MLContext(seed: 1);
        EstimatorCase estimatorCase = EstimatorCases.Named("binary over token keys");
        var trained = (SequenceBinaryClassificationTransformer)estimatorCase.Estimator(mlContext).Fit(estimatorCase.TrainingData(mlContext));
        foreach (int threads in new[] { 0, -1, int.MinValue })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => trained.WithScoringThreads(threads));
            Assert.Equal("numberOfThreads", error.ParamName);
            Assert.Contains("at least 1", error.Message);
            Assert.Equal("numberOfThreads", Assert.Throws<ArgumentOutOfRangeException>(() => ((ITransformer)trained).WithScoringThreads(threads)).ParamName);
        }
        Assert.Throws<ArgumentNullException>(() => ((SequenceBinaryClassificationTransformer)null!).WithScoringThreads(2));
        Assert.Throws<ArgumentNullException>(() => ((LstmForecastingTransformer)null!).WithScoringThreads(2));
        Assert.Throws<ArgumentNullException>(() => ((ITransformer)null!).WithScoringThreads(2));

        ITransformer tokensOnly = LstmTestData.Tokenize(mlContext).Fit(mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(4, seed: 1)));
        var noLstm = Assert.Throws<ArgumentException>(() => tokensOnly.WithScoringThreads(2));
        Assert.Equal("model", noLstm.ParamName);
        Assert.Contains("no Microsoft.ML.Lstm transformer", noLstm.Message);
    }

    /// <summary>A job fitted on rows of about <see cref="Steps"/> steps (the forecaster: windows of 256), its data, and its longest sequence.</summary>
    private static (ITransformer Model, IDataView Data, int Longest) Fit(MLContext ml, string job)
    {
        switch (job)
        {
            case "binary classifier":
            {
                IDataView data = Tokens(ml, LongReviews(16, seed: 1));
                var options = Wide(LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 1));
                return (ml.BinaryClassification.Trainers.Lstm(options).Fit(data), data, Steps + 1);
            }
            case "regressor":
            {
                // One direction, so that every thread splits the one layer; 2 features per step, so more steps.
                IDataView data = ml.Data.LoadFromEnumerable(LongSeries(12, 300, seed: 1));
                var options = Wide(LstmTestData.Tiny<LstmRegressionTrainer.Options>("Features", epochs: 1));
                options.FeaturesPerStep = 2;
                options.Bidirectional = false;
                return (ml.Regression.Trainers.Lstm(options).Fit(data), data, 300);
            }
            case "tagger":
            {
                TaggedSentence[] sentences = LongSentences(8, seed: 1);
                IDataView data = TaggingTestData.MapKeys(ml, ml.Data.LoadFromEnumerable(sentences)).Transform(ml.Data.LoadFromEnumerable(sentences));
                LstmTaggerTrainer.Options options = TaggingTestData.Tiny(epochs: 1);
                options.HiddenSize = 64;
                options.EmbeddingSize = 64;
                return (ml.MulticlassClassification.Trainers.LstmTagger(options).Fit(data), data, sentences.Min(s => s.Tokens.Length));
            }
            case "featurizer":
            {
                IDataView data = Tokens(ml, LongReviews(16, seed: 1));
                var options = new LstmFeaturizingEstimator.Options
                {
                    OutputColumnName = "Vector", InputColumnName = "Tokens", HiddenSize = 64, EmbeddingSize = 64, Epochs = 1, BatchSize = 8,
                    Dropout = 0, NumberOfThreads = 1, Seed = 1,
                };
                return (ml.Transforms.FeaturizeByLstm(options).Fit(data), data, Steps + 1);
            }
            case "forecaster":
            {
                List<ForecastRow> rows =
                [
                    .. ForecastTestData.Rows("a", ForecastTestData.Seasonal(300, 10, 0.5, seed: 1)),
                    .. ForecastTestData.Rows("b", ForecastTestData.Seasonal(300, 50, 2, seed: 2)),
                ];
                var options = new LstmForecastingEstimator.Options
                {
                    Horizon = 3, WindowSize = 256, SeriesColumnName = "Series", CovariateColumnNames = ["Month"],
                    LowerBoundColumnName = "Lower", UpperBoundColumnName = "Upper", HiddenSize = 64, Epochs = 1, NumberOfThreads = 1, Seed = 1,
                };
                IDataView data = ml.Data.LoadFromEnumerable(rows);
                return (ml.Forecasting.ForecastByLstm(options).Fit(data), data, 256);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(job), job, "Not a job of this test.");
        }
    }

    private static TOptions Wide<TOptions>(TOptions options) where TOptions : LstmTrainerOptionsBase
    {
        options.HiddenSize = 64;
        options.EmbeddingSize = 64;
        return options;
    }

    /// <summary>Reviews of <see cref="Steps"/> filler words and one key word.</summary>
    private static SentenceRow[] LongReviews(int count, int seed)
    {
        string[] fillers = ["the", "movie", "was", "really", "plot", "and", "it", "very"];
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var words = Enumerable.Range(0, Steps).Select(_ => fillers[random.Next(fillers.Length)]).ToList();
            words.Insert(random.Next(words.Count + 1), i % 2 == 0 ? "great" : "awful");
            return new SentenceRow { Text = string.Join(' ', words), Label = i % 2 == 0 };
        })];
    }

    /// <summary>Series of <paramref name="steps"/> steps of 2 channels; the label is the first channel's mean.</summary>
    private static SeriesRow[] LongSeries(int count, int steps, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            float[] features = [.. Enumerable.Range(0, 2 * steps).Select(_ => (float)random.NextDouble())];
            return new SeriesRow { Features = features, Label = features.Where((_, i) => i % 2 == 0).Average() };
        })];
    }

    /// <summary>Sentences of at least <see cref="Steps"/> tokens, each several of the tagging corpus's sentences run together.</summary>
    private static TaggedSentence[] LongSentences(int count, int seed)
    {
        TaggedSentence[] pool = TaggingTestData.Sentences(count * 40, seed, testNames: false);
        var sentences = new TaggedSentence[count];
        int next = 0;
        for (int i = 0; i < count; i++)
        {
            var tokens = new List<string>();
            var tags = new List<string>();
            while (tokens.Count < Steps)
            {
                tokens.AddRange(pool[next].Tokens);
                tags.AddRange(pool[next].Tags);
                next++;
            }
            sentences[i] = new TaggedSentence { Tokens = [.. tokens], Tags = [.. tags] };
        }
        return sentences;
    }

    private static IDataView Tokens(MLContext ml, SentenceRow[] rows) =>
        LstmTestData.Tokenize(ml).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));

    /// <summary>Checks that a scoring copy of the model on <paramref name="threads"/> threads splits a sequence of <paramref name="steps"/> steps by units.</summary>
    private static void AssertSplitsUnits(SequenceModel model, int steps, int threads)
    {
        SequenceNetwork<float> scoring = model.Network.CloneForInference(threads);
        Assert.Equal(threads, scoring.Threads);
        IRecurrentLayer<float> first = scoring.Encoder.Stack.Layers[0];
        var layer = (RecurrentLayer<float>)(first is BidirectionalLayer<float> both ? both.ForwardLayer : first);
        Assert.True(layer.SplitsUnits(PackedLayout.FromLengths([steps]), training: false), $"a sequence of {steps} steps is not split on {threads} threads: the test shows nothing");
    }

    private static ITransformer WithThreads(ITransformer model, int threads) => model switch
    {
        SequencePredictionTransformerBase transformer => transformer.WithScoringThreads(threads),
        LstmForecastingTransformer forecaster => forecaster.WithScoringThreads(threads),
        _ => throw new NotSupportedException(model.GetType().Name),
    };

    private static int ThreadsOf(ITransformer model) => model switch
    {
        SequencePredictionTransformerBase transformer => transformer.ScoringThreads,
        LstmForecastingTransformer forecaster => forecaster.ScoringThreads,
        _ => throw new NotSupportedException(model.GetType().Name),
    };

    private static SequenceModel ModelOf(ITransformer model) => model switch
    {
        SequencePredictionTransformerBase transformer => transformer.RowScoringModel,
        LstmForecastingTransformer forecaster => forecaster.Model,
        _ => throw new NotSupportedException(model.GetType().Name),
    };

    private static string[] OutputColumns(ITransformer model, IDataView data) =>
        [.. model.GetOutputSchema(data.Schema).Where(c => !c.IsHidden && c.Index >= data.Schema.Count).Select(c => c.Name)];

    private static List<string>[] Scores(ITransformer model, IDataView data, string[] columns)
    {
        IDataView scored = model.Transform(data);
        return [.. columns.Select(column => ColumnValues.Read(scored, column))];
    }
}
