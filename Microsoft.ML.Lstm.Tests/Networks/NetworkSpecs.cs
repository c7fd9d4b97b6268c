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

    public static NetworkSpec Crf(EncoderSpec encoder, CrfHeadSpec head) => new(encoder, head);

    /// <summary>
    /// A CRF over BIO tags of <paramref name="types"/> span types: tag 0 is O, tag 2x + 1 is B-x, tag 2x + 2 is I-x.
    /// I-x follows only B-x or I-x, so a sequence cannot start with it either; any tag may end a sequence.
    /// </summary>
    public static CrfHeadSpec BioCrf(int types, double dropout = 0)
    {
        int k = 2 * types + 1;
        var transitions = new bool[k * k];
        var starts = new bool[k];
        for (int to = 0; to < k; to++)
        {
            bool inside = to > 0 && to % 2 == 0;
            starts[to] = !inside;
            for (int from = 0; from < k; from++)
                transitions[from * k + to] = !inside || from == to || from == to - 1;
        }
        return new CrfHeadSpec { ClassCount = k, Dropout = dropout, AllowedTransitions = transitions, AllowedStarts = starts };
    }

    /// <summary>A random tag path of <paramref name="length"/> steps that the CRF's constraints allow, each tag drawn among those that can still reach an allowed end.</summary>
    public static int[] AllowedPath(CrfHeadSpec spec, int length, Random random)
    {
        int k = spec.ClassCount;
        // canFinish[r, tag]: a path with r more steps after tag can end where it is allowed to.
        var canFinish = new bool[length, k];
        for (int tag = 0; tag < k; tag++)
            canFinish[0, tag] = spec.AllowsEnd(tag);
        for (int r = 1; r < length; r++)
        {
            for (int tag = 0; tag < k; tag++)
                canFinish[r, tag] = Enumerable.Range(0, k).Any(next => spec.AllowsTransition(tag, next) && canFinish[r - 1, next]);
        }
        var path = new int[length];
        for (int t = 0; t < length; t++)
        {
            int[] choices = Enumerable.Range(0, k)
                .Where(tag => (t == 0 ? spec.AllowsStart(tag) : spec.AllowsTransition(path[t - 1], tag)) && canFinish[length - 1 - t, tag]).ToArray();
            path[t] = choices[random.Next(choices.Length)];
        }
        return path;
    }

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
                case CrfHeadSpec crf:
                    foreach (int tag in AllowedPath(crf, length, random))
                        targets.Add(T.CreateChecked(tag));
                    break;
                default:
                    throw new ArgumentException($"No targets for {head.GetType().Name}.");
            }
        }
        return [.. targets];
    }
}
