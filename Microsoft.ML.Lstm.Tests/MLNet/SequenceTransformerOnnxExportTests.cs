using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Tests.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.OnnxTestScoring;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// ONNX export through <c>mlContext.Model.ConvertToOnnx</c> (opset 12, ML.NET's default): each exported model, scored
/// by ONNX Runtime through ML.NET's <c>ApplyOnnxModel</c> (one row at a time) and through a raw <c>InferenceSession</c>
/// (all rows as one padded batch of mixed lengths, and a one-row call), matches the package's own scores within 1e-5.
/// The networks' weights are all drawn at random (biases and peepholes too), so a weight put in the wrong place shows.
/// </summary>
public class SequenceTransformerOnnxExportTests
{
    internal const int KeyCount = 9;

    public static TheoryData<string, string, int, string> BinaryArchitectures => new()
    {
        // cell, directions ("forward" or the bidirectional merge), layers, pooling
        { "Lstm", "forward", 1, "LastState" },
        { "Lstm", "Concat", 1, "LastState" },
        { "Lstm", "Concat", 2, "Mean" },
        { "Lstm", "Sum", 1, "LastState" },
        { "Lstm", "Mean", 2, "Max" },
        { "Lstm", "forward", 2, "Attention" },
        { "PeepholeLstm", "forward", 1, "LastState" },
        { "PeepholeLstm", "Concat", 2, "Attention" },
        { "PeepholeLstm", "Mean", 1, "LastState" },
        { "Gru", "forward", 1, "Mean" },
        { "Gru", "Concat", 1, "LastState" },
        { "Gru", "Concat", 3, "Max" },
        { "Gru", "Sum", 2, "Attention" },
        { "Gru", "Mean", 1, "LastState" },
    };

    [Theory]
    [MemberData(nameof(BinaryArchitectures))]
    public void BinaryClassifierOverTokenKeysMatchesThePackage(string cell, string directions, int layers, string pooling)
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.Pooled(TokenEncoder(cell, directions, layers), Enum.Parse<PoolingMode>(pooling), 1, LossKind.SigmoidBinaryCrossEntropy);
        var transformer = new SequenceBinaryClassificationTransformer(mlContext, RandomModel(spec, seed: 3), TokenFeatures());

        AssertExportMatches(mlContext, transformer, TokenRows(), SequenceOnnxInput.TokenPadKey, "Score", "Probability", "PredictedLabel");
    }

    [Fact]
    public void MulticlassClassifierOverFloatStepsMatchesThePackageWithStandardizationAndTruncation()
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.Pooled(NetworkSpecs.Features(2, hidden: 5, CellType.Lstm, layers: 2, bidirectional: true), PoolingMode.Attention, 4, LossKind.SoftmaxCrossEntropy);
        var features = new SequenceFeatures("Features", SequenceInput.FloatSteps(2), MaxSequenceLength: 5)
        {
            InputScaling = new Standardization([0.5f, -0.25f], [2f, 0.75f]),
        };
        var transformer = new SequenceMulticlassClassificationTransformer(mlContext, RandomModel(spec, seed: 4), features, ["a", "b", "c", "d"]);

        AssertExportMatches(mlContext, transformer, FloatRows(), float.NaN, "Score", "PredictedLabel");
    }

    [Fact]
    public void RegressionOverFloatStepsMatchesThePackage()
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.Pooled(NetworkSpecs.Features(2, hidden: 6, CellType.Gru, layers: 2), PoolingMode.Mean, 1, LossKind.MeanSquaredError);
        var transformer = new SequenceRegressionTransformer(mlContext, RandomModel(spec, seed: 5), FloatFeatures(), vectorScore: false,
            targetScaling: new Standardization([3.5f], [1.25f]));

        AssertExportMatches(mlContext, transformer, FloatRows(), float.NaN, "Score");
    }

    [Fact]
    public void MultiOutputRegressionMatchesThePackage()
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.Pooled(NetworkSpecs.Features(2, hidden: 4, CellType.PeepholeLstm, bidirectional: true, merge: MergeMode.Sum), PoolingMode.Max, 3, LossKind.MeanSquaredError);
        var transformer = new SequenceRegressionTransformer(mlContext, RandomModel(spec, seed: 6), FloatFeatures(), vectorScore: true,
            targetScaling: new Standardization([1f, -2f, 0.5f], [0.5f, 3f, 1f]));

        AssertExportMatches(mlContext, transformer, FloatRows(), float.NaN, "Score");
    }

    [Theory]
    [InlineData("Lstm", "Concat", 2, 0)]
    [InlineData("Gru", "forward", 1, 6)]
    [InlineData("PeepholeLstm", "Mean", 1, 0)]
    public void SoftmaxTaggerMatchesThePackageAtEveryStep(string cell, string directions, int layers, int maxSequenceLength)
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.StepSoftmax(TokenEncoder(cell, directions, layers), classes: 5);
        var features = new SequenceFeatures("Tokens", SequenceInput.TokenKeys(KeyCount), maxSequenceLength);
        var transformer = new SequenceTaggingTransformer(mlContext, RandomModel(spec, seed: 7), features, ["O", "B-X", "I-X", "B-Y", "I-Y"]);

        AssertExportMatches(mlContext, transformer, TokenRows(), SequenceOnnxInput.TokenPadKey, "Score", "PredictedLabel");
    }

    [Fact]
    public void CrfTaggerIsRefusedNamingTheCrf()
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.Crf(NetworkSpecs.Tokens(KeyCount + 1, embedding: 3, hidden: 4), NetworkSpecs.BioCrf(2));
        var transformer = new SequenceTaggingTransformer(mlContext, RandomModel(spec, seed: 8), TokenFeatures(), []);
        IDataView data = TokenData(mlContext, TokenRows());

        var error = Assert.Throws<NotSupportedException>(() => Export(mlContext, transformer, data));
        Assert.Contains("CRF", error.Message);
        Assert.Contains("UseCrf = false", error.Message);
    }

    [Fact]
    public void AnOpsetBelowTheMinimumIsRefusedNamingTheTransformer()
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.Pooled(NetworkSpecs.Tokens(KeyCount + 1, embedding: 3, hidden: 4), PoolingMode.LastState, 1, LossKind.SigmoidBinaryCrossEntropy);
        var transformer = new SequenceBinaryClassificationTransformer(mlContext, RandomModel(spec, seed: 9), TokenFeatures());
        IDataView data = TokenData(mlContext, TokenRows());

        var error = Assert.ThrowsAny<ArgumentException>(() => mlContext.Model.ConvertToOnnx(transformer, data, 9, new MemoryStream()));
        Assert.Contains(nameof(SequenceBinaryClassificationTransformer), error.Message);
        Assert.Contains($"{NetworkOnnxWriter.MinimumOpset}", error.Message);
    }

    [Fact]
    public void WholeTextPipelineExportsWithMLNetsOwnTransforms()
    {
        // Text → TokenizeIntoWords → MapValueToKey (exported by ML.NET) → the trained LSTM (exported here).
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(48, seed: 1));
        var options = LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 3);
        options.Bidirectional = true;
        ITransformer model = LstmTestData.Tokenize(mlContext).Append(mlContext.BinaryClassification.Trainers.Lstm(options)).Fit(train);
        IDataView test = mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(12, seed: 2).Select(row => new TextRow { Text = row.Text + " unseenword" }));

        byte[] onnx = Export(mlContext, model, test);
        IDataView scored = model.Transform(test);
        Dictionary<string, List<float[]>> exported = ApplyOnnxModel(mlContext, onnx, test, "Score", "Probability", "PredictedLabel");

        foreach (string column in exported.Keys)
            AssertClose(Column(scored, column), exported[column], $"{column} through ApplyOnnxModel");
    }

    /// <summary>
    /// Exports <paramref name="transformer"/> and checks each of <paramref name="columns"/> three ways: through
    /// <c>ApplyOnnxModel</c> over every row, through one raw session call on all rows padded with <paramref name="pad"/>,
    /// and through a one-row call.
    /// </summary>
    internal static void AssertExportMatches<T>(MLContext mlContext, ITransformer transformer, T[][] rows, T pad, params string[] columns)
    {
        IDataView data = typeof(T) == typeof(uint) ? TokenData(mlContext, (uint[][])(object)rows) : FloatData(mlContext, (float[][])(object)rows);
        string input = typeof(T) == typeof(uint) ? "Tokens" : "Features";
        IDataView scored = transformer.Transform(data);
        Dictionary<string, List<float[]>> expected = columns.ToDictionary(column => column, column => Column(scored, column));

        byte[] onnx = Export(mlContext, transformer, data);
        Assert.Equal(12, Opsets(onnx)[""]); // ML.NET's default opset; every operator written needs 10 at least

        Dictionary<string, List<float[]>> viaMLNet = ApplyOnnxModel(mlContext, onnx, data, columns);
        Dictionary<string, float[][]> batch = RunBatch(onnx, input, rows, pad, columns);
        Dictionary<string, float[][]> oneRow = RunBatch(onnx, input, [rows[2]], pad, columns);
        foreach (string column in columns)
        {
            AssertClose(expected[column], viaMLNet[column], $"{column} through ApplyOnnxModel");
            AssertClose(expected[column], Trimmed(batch[column], expected[column]), $"{column} in a padded batch");
            AssertClose([expected[column][2]], oneRow[column], $"{column} in a one-row call");
        }
    }

    /// <summary>
    /// A per-step output of a padded batch cut to each row's own steps (a pooled output is left as it is); the steps
    /// cut off are padding, where the exported tagger writes zeros.
    /// </summary>
    private static float[][] Trimmed(float[][] batch, List<float[]> expected) =>
    [
        .. batch.Select((row, i) =>
        {
            if (row.Length == expected[i].Length)
                return row;
            Assert.All(row[expected[i].Length..], value => Assert.Equal(0f, value));
            return row[..expected[i].Length];
        }),
    ];

    internal static EncoderSpec TokenEncoder(string cell, string directions, int layers) =>
        NetworkSpecs.Tokens(KeyCount + 1, embedding: 3, hidden: 4, Enum.Parse<CellType>(cell), layers,
            bidirectional: directions != "forward", merge: directions == "forward" ? MergeMode.Concat : Enum.Parse<MergeMode>(directions));

    /// <summary>A network of <paramref name="spec"/> whose every weight is drawn from U(−0.8, 0.8).</summary>
    internal static SequenceModel RandomModel(NetworkSpec spec, int seed)
    {
        var network = new SequenceNetwork<float>(spec, seed, threads: 1);
        var random = new Random(seed);
        float[] values = network.Parameters.Values;
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 1.6 - 0.8);
        network.Parameters.MarkChanged();
        return SequenceModel.FromNetwork(network);
    }

    internal static SequenceFeatures TokenFeatures() => new("Tokens", SequenceInput.TokenKeys(KeyCount), 0);

    internal static SequenceFeatures FloatFeatures() => new("Features", SequenceInput.FloatSteps(2), 0);

    /// <summary>Key sequences of mixed lengths (1 to 40), keys 0 (unknown) to <see cref="KeyCount"/>.</summary>
    internal static uint[][] TokenRows()
    {
        var random = new Random(11);
        uint[][] rows = [.. new[] { 3, 1, 7, 12, 2, 5, 9, 4, 40 }.Select(length => Enumerable.Range(0, length).Select(_ => (uint)random.Next(KeyCount + 1)).ToArray())];
        // Keys above the key count (not the pad) score as the unknown token, in the package and in the graph.
        rows[3][4] = KeyCount + 1;
        rows[3][7] = KeyCount + 1000;
        return rows;
    }

    /// <summary>Float sequences of 2 values per step and mixed lengths (1 to 30 steps), one with a NaN second value.</summary>
    internal static float[][] FloatRows()
    {
        var random = new Random(12);
        float[][] rows = [.. new[] { 3, 1, 7, 12, 2, 5, 9, 30 }.Select(steps => Enumerable.Range(0, 2 * steps).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray())];
        // A NaN that is not a step's first value scores as its feature's training mean, in the package and in the graph.
        rows[2][5] = float.NaN;
        return rows;
    }

    internal static IDataView TokenData(MLContext mlContext, uint[][] rows) =>
        mlContext.Data.LoadFromEnumerable(rows.Select(tokens => new KeyTokenRow { Tokens = tokens }));

    private static IDataView FloatData(MLContext mlContext, float[][] rows) =>
        mlContext.Data.LoadFromEnumerable(rows.Select(features => new FloatStepRow { Features = features }));

    /// <summary>Only the feature column: the exported graph's one input.</summary>
    public sealed class KeyTokenRow
    {
        [KeyType(KeyCount)]
        [VectorType]
        public uint[] Tokens { get; set; } = [];
    }

    /// <summary>Only the feature column: the exported graph's one input.</summary>
    public sealed class FloatStepRow
    {
        [VectorType]
        public float[] Features { get; set; } = [];
    }

    /// <summary>Only the text: the exported pipeline's one input.</summary>
    public sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}
