using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>Short ways to write the small networks the tests build, and batches and targets that fit them.</summary>
internal static class NetworkSpecs
{
    public static EncoderSpec Tokens(int vocabulary, int embedding, int hidden, CellType cell = CellType.Lstm, int layers = 1, bool bidirectional = false, MergeMode merge = MergeMode.Concat) => new()
    {
        Input = SequenceInputKind.Tokens, VocabularySize = vocabulary, EmbeddingSize = embedding, HiddenSize = hidden,
        Cell = cell, LayerCount = layers, Bidirectional = bidirectional, Merge = merge,
    };

    public static EncoderSpec Features(int perStep, int hidden, CellType cell = CellType.Lstm, int layers = 1, bool bidirectional = false, MergeMode merge = MergeMode.Concat) => new()
    {
        Input = SequenceInputKind.Features, FeaturesPerStep = perStep, HiddenSize = hidden,
        Cell = cell, LayerCount = layers, Bidirectional = bidirectional, Merge = merge,
    };

    public static NetworkSpec Pooled(EncoderSpec encoder, PoolingMode pooling, int outputs, LossKind loss) =>
        new(encoder, new PooledHeadSpec { Pooling = pooling, OutputSize = outputs, Loss = loss });

    public static NetworkSpec StepSoftmax(EncoderSpec encoder, int classes) => new(encoder, new StepSoftmaxHeadSpec { ClassCount = classes });

    /// <summary>Random sequences of the given lengths that the spec's encoder reads.</summary>
    public static SequenceBatch<T> Batch<T>(EncoderSpec spec, int[] lengths, Random random) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (spec.Input == SequenceInputKind.Tokens)
            return SequenceBatch<T>.FromTokens(lengths.Select(l => Enumerable.Range(0, l).Select(_ => random.Next(spec.VocabularySize)).ToArray()).ToList());
        return SequenceBatch<T>.FromFeatures(
            lengths.Select(l => Enumerable.Range(0, l * spec.FeaturesPerStep).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToList(),
            spec.FeaturesPerStep);
    }

    /// <summary>Random targets of the head's kind for sequences of the given lengths, sequence after sequence.</summary>
    public static T[] Targets<T>(HeadSpec head, int[] lengths, Random random) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var targets = new List<T>();
        foreach (int length in lengths)
        {
            switch (head)
            {
                case PooledHeadSpec { Loss: LossKind.SoftmaxCrossEntropy } pooled:
                    targets.Add(T.CreateChecked(random.Next(pooled.OutputSize)));
                    break;
                case PooledHeadSpec { Loss: LossKind.SigmoidBinaryCrossEntropy }:
                    targets.Add(T.CreateChecked(random.Next(2)));
                    break;
                case PooledHeadSpec pooled:
                    for (int k = 0; k < pooled.OutputSize; k++)
                        targets.Add(T.CreateChecked(random.NextDouble() * 2 - 1));
                    break;
                case StepSoftmaxHeadSpec step:
                    for (int t = 0; t < length; t++)
                        targets.Add(T.CreateChecked(random.Next(step.ClassCount)));
                    break;
                default:
                    throw new ArgumentException($"No targets for {head.GetType().Name}.");
            }
        }
        return [.. targets];
    }
}
