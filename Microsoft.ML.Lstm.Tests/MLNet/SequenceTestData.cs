using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Tests.Networks;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>Small data sets with sequences of different lengths (2 features per step), and small networks over them.</summary>
internal static class SequenceTestData
{
    public const int FeaturesPerStep = 2;

    public static BinarySequenceRow[] BinaryRows() =>
    [
        new() { Features = [0.9f, 0.8f, 0.7f, 1.0f], Label = true },
        new() { Features = [0.1f, 0.2f], Label = false },
        new() { Features = [0.6f, 0.9f, 0.8f, 0.7f, 0.9f, 0.6f], Label = true },
        new() { Features = [0.3f, 0.1f, 0.2f, 0.0f], Label = false },
        new() { Features = [0.55f, 0.4f], Label = true },
        new() { Features = [0.45f, 0.6f, 0.1f, 0.2f], Label = false },
    ];

    public static MulticlassSequenceRow[] MulticlassRows() =>
    [
        new() { Features = [0.1f, 0.0f], Label = "low" },
        new() { Features = [0.5f, 0.5f, 0.4f, 0.6f], Label = "middle" },
        new() { Features = [0.9f, 1.0f, 0.95f, 0.85f, 0.9f, 1.0f], Label = "high" },
        new() { Features = [0.2f, 0.1f, 0.0f, 0.1f], Label = "low" },
        new() { Features = [0.9f, 0.3f], Label = "middle" },
    ];

    public static RegressionSequenceRow[] RegressionRows() =>
    [
        new() { Features = [1f, 2f], Label = 3f },
        new() { Features = [0f, 1f, 2f, 3f], Label = 2.5f },
        new() { Features = [4f, 4f, 4f, 4f, 4f, 4f], Label = 9f },
    ];

    /// <summary>
    /// A small untrained network over steps of <see cref="FeaturesPerStep"/> values, mean-pooled into
    /// <paramref name="outputs"/> outputs: its weights come from <paramref name="seed"/>, so every call gives the same network.
    /// </summary>
    public static SequenceModel FeatureNetwork(int outputs, LossKind loss, int seed = 1) => SequenceModel.FromNetwork(
        new SequenceNetwork<float>(NetworkSpecs.Pooled(NetworkSpecs.Features(FeaturesPerStep, hidden: 4), PoolingMode.Mean, outputs, loss), seed, threads: 1));

    /// <summary>A small untrained network over token ids of <paramref name="keyCount"/> keys plus the unknown token.</summary>
    public static SequenceModel TokenNetwork(ulong keyCount, int outputs, LossKind loss, int seed = 1) => SequenceModel.FromNetwork(
        new SequenceNetwork<float>(NetworkSpecs.Pooled(NetworkSpecs.Tokens((int)keyCount + 1, embedding: 3, hidden: 4), PoolingMode.Mean, outputs, loss), seed, threads: 1));

    /// <summary>One logit.</summary>
    public static SequenceModel BinaryNetwork() => FeatureNetwork(1, LossKind.SigmoidBinaryCrossEntropy);

    /// <summary>Three logits: "low", "middle", "high".</summary>
    public static SequenceModel MulticlassNetwork() => FeatureNetwork(3, LossKind.SoftmaxCrossEntropy);

    /// <summary>One predicted number.</summary>
    public static SequenceModel RegressionNetwork() => FeatureNetwork(1, LossKind.MeanSquaredError);

    /// <summary>The float feature column <paramref name="name"/>, <see cref="FeaturesPerStep"/> values per step, every step kept.</summary>
    public static SequenceFeatures FloatFeatures(string name = "Features") => new(name, SequenceInput.FloatSteps(FeaturesPerStep), 0);

    public static SequenceBinaryClassificationTransformer BinaryTransformer(MLContext mlContext)
        => new(mlContext, BinaryNetwork(), FloatFeatures());

    public static SequenceRegressionTransformer RegressionTransformer(MLContext mlContext)
        => new(mlContext, RegressionNetwork(), FloatFeatures(), vectorScore: false);

    public static SequenceMulticlassClassificationTransformer MulticlassTransformer(MLContext mlContext, IReadOnlyList<string> classNames)
        => new(mlContext, MulticlassNetwork(), FloatFeatures(), classNames);

    /// <summary><paramref name="model"/>'s predictions for each float sequence, computed directly (no ML.NET in between).</summary>
    public static float[][] Predict(SequenceModel model, IEnumerable<float[]> sequences) =>
        sequences.Select(sequence =>
        {
            var predictions = new float[model.PredictionCount(sequence.Length / FeaturesPerStep)];
            model.Predict(sequence, predictions);
            return predictions;
        }).ToArray();

    /// <summary>The raw bits of each float, so comparisons are exact.</summary>
    public static List<int> Bits(IEnumerable<float> values) => values.Select(BitConverter.SingleToInt32Bits).ToList();

    /// <summary>Every value of column <paramref name="name"/>, as the raw bits of each float so comparisons are exact.</summary>
    public static List<int> FloatBits(IDataView data, string name)
    {
        var column = data.Schema[name];
        using var cursor = data.GetRowCursor([column]);
        return FloatBits(cursor, cursor, column);
    }

    /// <summary>
    /// The raw bits of every value of <paramref name="column"/> (a float or a vector of floats) on <paramref name="row"/>,
    /// read at each row of <paramref name="cursor"/> (the row itself, or one a mapper makes from it).
    /// </summary>
    public static List<int> FloatBits(DataViewRowCursor cursor, DataViewRow row, DataViewSchema.Column column)
    {
        var bits = new List<int>();
        if (column.Type is VectorDataViewType)
        {
            var getter = row.GetGetter<VBuffer<float>>(column);
            VBuffer<float> values = default;
            while (cursor.MoveNext())
            {
                getter(ref values);
                foreach (float value in values.DenseValues())
                    bits.Add(BitConverter.SingleToInt32Bits(value));
            }
        }
        else
        {
            var getter = row.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                bits.Add(BitConverter.SingleToInt32Bits(value));
            }
        }
        return bits;
    }

    /// <summary>Every value of a scalar column as a list.</summary>
    public static List<T> Values<T>(IDataView data, string name) => data.GetColumn<T>(name).ToList();

    public static string TemporaryModelPath() => Path.Combine(Path.GetTempPath(), $"lstm-test-{Guid.NewGuid():N}.zip");
}
