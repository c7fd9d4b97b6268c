using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Scores sequences with a trained recurrent network for classification into K classes. Writes
/// <c>Score</c> (softmax of the K logits, float vector [K]) and <c>PredictedLabel</c> (the most
/// probable class, a key with the training label's values), the columns
/// <c>MulticlassClassification.Evaluate</c> reads.
/// </summary>
public sealed partial class SequenceMulticlassClassificationTransformer : SequencePredictionTransformerBase
{
    /// <summary>The training label's key values, one per class; empty when the label had none.</summary>
    private readonly string[] _classNames;

    /// <summary>A transformer over a trained network with one logit per class.</summary>
    /// <param name="env">The host environment.</param>
    /// <param name="scorer">The network; one logit per class.</param>
    /// <param name="featureColumnName">The column holding the sequences.</param>
    /// <param name="input">What the feature column holds.</param>
    /// <param name="classNames">The label's key values, one per class, or empty.</param>
    internal SequenceMulticlassClassificationTransformer(
        IHostEnvironment env, ISequenceScorer scorer, string featureColumnName, SequenceInput input, IReadOnlyList<string> classNames)
        : base(env, nameof(SequenceMulticlassClassificationTransformer), scorer, featureColumnName, input)
    {
        _classNames = [.. classNames];
        CheckShape(scorer.OutputSize, _classNames.Length);
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount => Scorer.OutputSize;

    private static void CheckShape(int outputSize, int classNameCount)
    {
        if (outputSize < 2)
            throw new InvalidDataException($"A multiclass network has one output per class, at least two; this one has {outputSize}.");
        if (classNameCount != 0 && classNameCount != outputSize)
            throw new InvalidDataException($"The network has {outputSize} outputs but {classNameCount} class names are given.");
    }

    private protected override void SaveTaskState(BinaryWriter writer)
    {
        // int: number of class names (0 or K), then each name
        writer.Write(_classNames.Length);
        foreach (string name in _classNames)
            writer.Write(name);
    }

    private protected override DataViewSchema.DetachedColumn[] MakeOutputColumns(DataViewSchema inputSchema) =>
    [
        new(PredictionColumnNames.Score, new VectorDataViewType(NumberDataViewType.Single, ClassCount),
            PredictionAnnotations(inputSchema, PredictionTask.MulticlassClassification, PredictionValue.Score, _classNames)),
        new(PredictionColumnNames.PredictedLabel, new KeyDataViewType(typeof(uint), ClassCount),
            PredictionAnnotations(inputSchema, PredictionTask.MulticlassClassification, PredictionValue.PredictedLabel, _classNames)),
    ];

    private protected override Delegate MakeOutputGetter(int outputColumn, RowNetworkOutputs outputs) => outputColumn switch
    {
        0 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> probabilities) =>
        {
            var logits = outputs.Current;
            var editor = VBufferEditor.Create(ref probabilities, logits.Length);
            SoftmaxCrossEntropyLoss<float>.Softmax(logits, editor.Values);
            probabilities = editor.Commit();
        }),
        1 => (ValueGetter<uint>)((ref uint predictedKey) => predictedKey = (uint)ArgMax(outputs.Current) + 1),
        _ => throw new ArgumentOutOfRangeException(nameof(outputColumn)),
    };

    /// <summary>The first index of the largest value (ties go to the lower class, as ML.NET's scorers do).</summary>
    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++)
        {
            if (values[k] > values[best])
                best = k;
        }
        return best;
    }
}
