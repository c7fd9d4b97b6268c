using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>Small data sets with sequences of different lengths (2 features per step), and stand-in networks.</summary>
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

    /// <summary>logit = 4·mean − 2: positive when the mean of the sequence is above one half.</summary>
    public static ISequenceScorer BinaryScorer() => new MeanOfStepsScorer([4f], [-2f]);

    /// <summary>Three logits that favour "low", "middle", "high" as the mean grows.</summary>
    public static ISequenceScorer MulticlassScorer() => new MeanOfStepsScorer([-6f, 0f, 6f], [2f, 0.5f, -3.5f]);

    /// <summary>prediction = 2·mean + 0.25.</summary>
    public static ISequenceScorer RegressionScorer() => new MeanOfStepsScorer([2f], [0.25f]);

    public static SequenceBinaryClassificationTransformer BinaryTransformer(MLContext mlContext)
        => new(mlContext, BinaryScorer(), "Features", SequenceInput.FloatSteps(FeaturesPerStep));

    public static SequenceRegressionTransformer RegressionTransformer(MLContext mlContext)
        => new(mlContext, RegressionScorer(), "Features", SequenceInput.FloatSteps(FeaturesPerStep));

    public static SequenceMulticlassClassificationTransformer MulticlassTransformer(MLContext mlContext, IReadOnlyList<string> classNames)
        => new(mlContext, MulticlassScorer(), "Features", SequenceInput.FloatSteps(FeaturesPerStep), classNames);

    /// <summary>Every value of column <paramref name="name"/>, as the raw bits of each float so comparisons are exact.</summary>
    public static List<int> FloatBits(IDataView data, string name)
    {
        var column = data.Schema[name];
        var bits = new List<int>();
        using var cursor = data.GetRowCursor([column]);
        if (column.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
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
            var getter = cursor.GetGetter<float>(column);
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
