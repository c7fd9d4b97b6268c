using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Tiny generated data sets and tiny networks for the trainer tests: each fit takes well under a second.
/// </summary>
internal static class LstmTestData
{
    private static readonly string[] PositiveWords = ["good", "great", "nice", "lovely"];
    private static readonly string[] NegativeWords = ["bad", "awful", "poor", "boring"];
    private static readonly string[] Fillers = ["the", "movie", "was", "really", "plot", "and", "it", "very"];
    private static readonly string[][] TopicWords =
    [
        ["goal", "match", "team", "score"],
        ["pasta", "soup", "bread", "salad"],
        ["laptop", "phone", "software", "chip"],
    ];

    /// <summary>The class names of <see cref="TopicSentences"/>, in the order MapValueToKey meets them.</summary>
    public static readonly string[] Topics = ["sport", "food", "tech"];

    /// <summary>Short reviews, positive when they hold a positive word.</summary>
    public static SentenceRow[] Reviews(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new SentenceRow[count];
        for (int i = 0; i < count; i++)
        {
            bool positive = i % 2 == 0;
            string[] words = positive ? PositiveWords : NegativeWords;
            rows[i] = new SentenceRow { Text = Sentence(random, words[random.Next(words.Length)]), Label = positive };
        }
        return rows;
    }

    /// <summary>Short sentences about one of three topics, labelled by the topic's name.</summary>
    public static TopicRow[] TopicSentences(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new TopicRow[count];
        for (int i = 0; i < count; i++)
        {
            int topic = i % Topics.Length;
            string[] words = TopicWords[topic];
            rows[i] = new TopicRow { Text = Sentence(random, words[random.Next(words.Length)]), Label = Topics[topic] };
        }
        return rows;
    }

    /// <summary>Series of 2 to 6 steps of 2 channels; the label is the mean of the first channel.</summary>
    public static SeriesRow[] Series(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new SeriesRow[count];
        for (int i = 0; i < count; i++)
        {
            int steps = 2 + random.Next(5);
            var features = new float[steps * 2];
            float sum = 0;
            for (int t = 0; t < steps; t++)
            {
                features[2 * t] = (float)random.NextDouble();
                features[2 * t + 1] = (float)random.NextDouble();
                sum += features[2 * t];
            }
            rows[i] = new SeriesRow { Features = features, Label = sum / steps };
        }
        return rows;
    }

    /// <summary>Two to six filler words with <paramref name="keyWord"/> somewhere among them.</summary>
    private static string Sentence(Random random, string keyWord)
    {
        var words = new List<string>();
        int fillers = 2 + random.Next(5);
        for (int i = 0; i < fillers; i++)
            words.Add(Fillers[random.Next(Fillers.Length)]);
        words.Insert(random.Next(words.Count + 1), keyWord);
        return string.Join(' ', words);
    }

    /// <summary>A small network trained briefly on one thread, so results are fast and repeatable.</summary>
    public static TOptions Tiny<TOptions>(string featureColumnName = "Tokens", int epochs = 15)
        where TOptions : LstmTrainerOptionsBase, new() => new()
    {
        FeatureColumnName = featureColumnName,
        EmbeddingSize = 8,
        HiddenSize = 8,
        Epochs = epochs,
        BatchSize = 8,
        LearningRate = 0.02,
        Dropout = 0,
        ValidationFraction = 0,
        NumberOfThreads = 1,
    };

    /// <summary>Text → tokens → keys, the pipeline every text test starts with.</summary>
    public static IEstimator<ITransformer> Tokenize(MLContext mlContext, string labelToKey = "") =>
        labelToKey.Length == 0
            ? mlContext.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
                .Append(mlContext.Transforms.Conversion.MapValueToKey("Tokens"))
            : mlContext.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
                .Append(mlContext.Transforms.Conversion.MapValueToKey("Tokens"))
                .Append(mlContext.Transforms.Conversion.MapValueToKey(labelToKey));

    /// <summary>Saves <paramref name="model"/> and loads it into a new <c>MLContext</c>.</summary>
    public static ITransformer SaveAndLoadInNewContext(MLContext mlContext, ITransformer model, DataViewSchema inputSchema)
    {
        string path = SequenceTestData.TemporaryModelPath();
        try
        {
            mlContext.Model.Save(model, inputSchema, path);
            return new MLContext(seed: 7).Model.Load(path, out _);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Checks that what <c>GetOutputSchema</c> promised for <paramref name="columns"/> is what <c>Transform</c>
    /// produced: same kind, item type and key-ness, and every promised annotation present.
    /// </summary>
    public static void AssertSchemaAgrees(SchemaShape promised, DataViewSchema produced, params string[] columns)
    {
        SchemaShape actual = ShapeOf(produced);
        foreach (string name in columns)
        {
            SchemaShape.Column expected = Assert.Single(promised, column => column.Name == name);
            SchemaShape.Column column = Assert.Single(actual, column => column.Name == name);
            Assert.Equal(expected.Kind, column.Kind);
            Assert.Equal(expected.ItemType, column.ItemType);
            Assert.Equal(expected.IsKey, column.IsKey);
            foreach (SchemaShape.Column annotation in expected.Annotations)
                Assert.True(column.Annotations.Any(a => a.Name == annotation.Name), $"Column '{name}' lacks the promised annotation '{annotation.Name}'.");
        }
    }

    /// <summary>
    /// The shape of a real schema, as an estimator's <c>GetOutputSchema</c> takes it. ML.NET keeps
    /// <c>SchemaShape.Create</c> internal (its pipelines call it), so the test reaches it by reflection.
    /// </summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape)
            .GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;
}

/// <summary>A sentence with a class name.</summary>
public sealed class TopicRow
{
    public string Text { get; set; } = "";

    public string Label { get; set; } = "";
}

/// <summary>A series of 2-channel steps with a numeric target.</summary>
public sealed class SeriesRow
{
    [VectorType]
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>The multiclass columns as PredictionEngine returns them.</summary>
public sealed class MulticlassPrediction
{
    public float[] Score { get; set; } = [];

    public uint PredictedLabel { get; set; }
}

/// <summary>The regression column as PredictionEngine returns it.</summary>
public sealed class RegressionPrediction
{
    public float Score { get; set; }
}
