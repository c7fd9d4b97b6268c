using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Every estimator of the package, for <see cref="EstimatorHarnessTests"/>. Add one entry per new estimator
/// (forecasting, featurizing): its small data, the estimator, its feature column, a column of a type it cannot read,
/// and data of a size it cannot read.
/// </summary>
public static class EstimatorCases
{
    /// <summary>The cases, by name.</summary>
    public static IReadOnlyList<EstimatorCase> All { get; } =
    [
        new("binary over token keys",
            ml => Tokens(ml, LstmTestData.Reviews(24, seed: 1)),
            ml => ml.BinaryClassification.Trainers.Lstm(LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 2)),
            FeatureColumn: "Tokens", WrongTypeSource: "Label",
            WrongVectorSize: ml => Tokens(ml, LstmTestData.Reviews(24, seed: 1), vocabularyFrom: LstmTestData.Reviews(3, seed: 9))),
        new("multiclass over token keys",
            ml => Tokens(ml, LstmTestData.TopicSentences(24, seed: 1), labelToKey: true),
            ml => ml.MulticlassClassification.Trainers.Lstm(LstmTestData.Tiny<LstmMulticlassTrainer.Options>(epochs: 2)),
            FeatureColumn: "Tokens", WrongTypeSource: "Label",
            WrongVectorSize: ml => Tokens(ml, LstmTestData.TopicSentences(24, seed: 1), labelToKey: true, vocabularyFrom: LstmTestData.TopicSentences(3, seed: 9))),
        new("binary over a text column",
            ml => ml.Data.LoadFromEnumerable(LstmTestData.Reviews(24, seed: 1)),
            ml => ml.BinaryClassification.Trainers.Lstm(EveryWord(LstmTestData.Tiny<LstmBinaryTrainer.Options>("Text", epochs: 2))),
            FeatureColumn: "Text", WrongTypeSource: "Label",
            WrongVectorSize: ml => ml.Data.LoadFromEnumerable(LstmTestData.Reviews(4, seed: 1).Select(row => new TextPairRow { Text = [row.Text, row.Text], Label = row.Label }))),
        new("regression over float steps",
            ml => ml.Data.LoadFromEnumerable(LstmTestData.Series(24, seed: 1)),
            ml => ml.Regression.Trainers.Lstm(TwoFeaturesPerStep(LstmTestData.Tiny<LstmRegressionTrainer.Options>("Features", epochs: 2))),
            FeatureColumn: "Features", WrongTypeSource: "Label",
            WrongVectorSize: ml => ml.Data.LoadFromEnumerable(LstmTestData.Series(4, seed: 1).Select(row => new OddSeriesRow { Features = [.. row.Features.Take(3)], Label = row.Label }))),
        new("tagger over token keys and characters",
            ml => Tagged(ml, TaggingTestData.Sentences(12, seed: 1, testNames: false)),
            ml => ml.MulticlassClassification.Trainers.LstmTagger(TaggingTestData.Tiny(epochs: 1)),
            FeatureColumn: "TokenKeys", WrongTypeSource: "Tokens",
            WrongVectorSize: ml => Tagged(ml, TaggingTestData.Sentences(12, seed: 1, testNames: false), vocabularyFrom: TaggingTestData.Sentences(2, seed: 9, testNames: false))),
        new("forecaster over two series with a covariate",
            ml => ml.Data.LoadFromEnumerable(TwoSeries()),
            ml => ml.Forecasting.ForecastByLstm(TinyForecaster()),
            FeatureColumn: "Value", WrongTypeSource: "Series",
            WrongVectorSize: ml => ml.Data.LoadFromEnumerable(TwoSeries().Select(row => new PairedValueRow { Series = row.Series, Value = [row.Value, row.Value], Month = row.Month }))),
        new("binary over token keys, int8 weights",
            ml => Tokens(ml, LstmTestData.Reviews(24, seed: 1)),
            ml => new WeightPrecisionEstimator(ml.BinaryClassification.Trainers.Lstm(LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 2)), WeightPrecision.Int8),
            FeatureColumn: "Tokens", WrongTypeSource: "Label",
            WrongVectorSize: ml => Tokens(ml, LstmTestData.Reviews(24, seed: 1), vocabularyFrom: LstmTestData.Reviews(3, seed: 9))),
        new("tagger over token keys and characters, bfloat16 weights",
            ml => Tagged(ml, TaggingTestData.Sentences(12, seed: 1, testNames: false)),
            ml => new WeightPrecisionEstimator(ml.MulticlassClassification.Trainers.LstmTagger(TaggingTestData.Tiny(epochs: 1)), WeightPrecision.BFloat16),
            FeatureColumn: "TokenKeys", WrongTypeSource: "Tokens",
            WrongVectorSize: ml => Tagged(ml, TaggingTestData.Sentences(12, seed: 1, testNames: false), vocabularyFrom: TaggingTestData.Sentences(2, seed: 9, testNames: false))),
        new("forecaster over two series with a covariate, int8 weights",
            ml => ml.Data.LoadFromEnumerable(TwoSeries()),
            ml => new WeightPrecisionEstimator(ml.Forecasting.ForecastByLstm(TinyForecaster()), WeightPrecision.Int8),
            FeatureColumn: "Value", WrongTypeSource: "Series",
            WrongVectorSize: ml => ml.Data.LoadFromEnumerable(TwoSeries().Select(row => new PairedValueRow { Series = row.Series, Value = [row.Value, row.Value], Month = row.Month }))),
        new("binary over token keys, 2 scoring threads",
            ml => Tokens(ml, LstmTestData.Reviews(24, seed: 1)),
            ml => new ScoringThreadsEstimator(ml.BinaryClassification.Trainers.Lstm(LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 2)), 2),
            FeatureColumn: "Tokens", WrongTypeSource: "Label",
            WrongVectorSize: ml => Tokens(ml, LstmTestData.Reviews(24, seed: 1), vocabularyFrom: LstmTestData.Reviews(3, seed: 9))),
        new("featurizer over token keys",
            ml => Tokens(ml, LstmTestData.Reviews(24, seed: 1)),
            ml => ml.Transforms.FeaturizeByLstm(new LstmFeaturizingEstimator.Options { OutputColumnName = "Vector", InputColumnName = "Tokens", HiddenSize = 8, EmbeddingSize = 8, Epochs = 2, BatchSize = 8, Dropout = 0, NumberOfThreads = 1, Seed = 1 }),
            FeatureColumn: "Tokens", WrongTypeSource: "Label",
            WrongVectorSize: ml => Tokens(ml, LstmTestData.Reviews(24, seed: 1), vocabularyFrom: LstmTestData.Reviews(3, seed: 9))),
        new("featurizer over token keys, adaptive softmax",
            ml => Tokens(ml, LstmTestData.Reviews(24, seed: 1)),
            ml => ml.Transforms.FeaturizeByLstm(new LstmFeaturizingEstimator.Options { OutputColumnName = "Vector", InputColumnName = "Tokens", HiddenSize = 8, EmbeddingSize = 8, Epochs = 2, BatchSize = 8, Dropout = 0, NumberOfThreads = 1, Seed = 1, Softmax = LstmLanguageModelSoftmax.Adaptive }),
            FeatureColumn: "Tokens", WrongTypeSource: "Label",
            WrongVectorSize: ml => Tokens(ml, LstmTestData.Reviews(24, seed: 1), vocabularyFrom: LstmTestData.Reviews(3, seed: 9))),
        new("featurizer over a text column",
            ml => ml.Data.LoadFromEnumerable(LstmTestData.Reviews(24, seed: 1)),
            ml => ml.Transforms.FeaturizeByLstm(new LstmFeaturizingEstimator.Options { OutputColumnName = "Vector", InputColumnName = "Text", HiddenSize = 8, EmbeddingSize = 8, Epochs = 2, BatchSize = 8, Dropout = 0, NumberOfThreads = 1, Seed = 1 }),
            FeatureColumn: "Text", WrongTypeSource: "Label",
            WrongVectorSize: ml => ml.Data.LoadFromEnumerable(LstmTestData.Reviews(4, seed: 1).Select(row => new TextPairRow { Text = [row.Text, row.Text], Label = row.Label }))),
    ];

    /// <summary>The case names, as xunit's member data.</summary>
    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (EstimatorCase estimatorCase in All)
            names.Add(estimatorCase.Name);
        return names;
    }

    /// <summary>The case named <paramref name="name"/>.</summary>
    public static EstimatorCase Named(string name) => All.Single(estimatorCase => estimatorCase.Name == name);

    /// <summary>Text rows tokenized, with token keys mapped on <paramref name="vocabularyFrom"/> (the rows themselves by default).</summary>
    private static IDataView Tokens<TRow>(MLContext ml, TRow[] rows, bool labelToKey = false, TRow[]? vocabularyFrom = null) where TRow : class
    {
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens"))
            .Fit(ml.Data.LoadFromEnumerable(vocabularyFrom ?? rows));
        IDataView data = tokens.Transform(ml.Data.LoadFromEnumerable(rows));
        return labelToKey ? ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data) : data;
    }

    private static IDataView Tagged(MLContext ml, TaggedSentence[] rows, TaggedSentence[]? vocabularyFrom = null)
    {
        var keys = TaggingTestData.MapKeys(ml, ml.Data.LoadFromEnumerable(rows));
        if (vocabularyFrom is null)
            return keys.Transform(ml.Data.LoadFromEnumerable(rows));
        var tokenKeys = ml.Transforms.Conversion.MapValueToKey("TokenKeys", "Tokens").Fit(ml.Data.LoadFromEnumerable(vocabularyFrom));
        var tagKeys = ml.Transforms.Conversion.MapValueToKey("Label", "Tags").Fit(ml.Data.LoadFromEnumerable(rows));
        return tagKeys.Transform(tokenKeys.Transform(ml.Data.LoadFromEnumerable(rows)));
    }

    /// <summary>Two short seasonal series of 40 steps, with the month as a covariate.</summary>
    private static List<ForecastRow> TwoSeries() =>
        [.. ForecastTestData.Rows("a", ForecastTestData.Seasonal(40, 10, 0.5, seed: 1)), .. ForecastTestData.Rows("b", ForecastTestData.Seasonal(40, 50, 2, seed: 2))];

    private static LstmForecastingEstimator.Options TinyForecaster() => new()
    {
        Horizon = 3,
        WindowSize = 12,
        SeriesColumnName = "Series",
        CovariateColumnNames = ["Month"],
        LowerBoundColumnName = "Lower",
        UpperBoundColumnName = "Upper",
        HiddenSize = 4,
        Epochs = 2,
        NumberOfThreads = 1,
    };

    private static LstmBinaryTrainer.Options EveryWord(LstmBinaryTrainer.Options options)
    {
        options.MinimumWordCount = 1;
        return options;
    }

    private static LstmRegressionTrainer.Options TwoFeaturesPerStep(LstmRegressionTrainer.Options options)
    {
        options.FeaturesPerStep = 2;
        return options;
    }
}

/// <summary>A series whose fixed-size vector of 3 values is not a whole number of 2-value steps.</summary>
public sealed class OddSeriesRow
{
    [VectorType(3)]
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>Two values on a row where the forecaster reads one.</summary>
public sealed class PairedValueRow
{
    public string Series { get; set; } = "";

    [VectorType(2)]
    public float[] Value { get; set; } = [];

    public float Month { get; set; }
}

/// <summary>Two texts where the model reads one.</summary>
public sealed class TextPairRow
{
    [VectorType(2)]
    public string[] Text { get; set; } = [];

    public bool Label { get; set; }
}
