using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>How the heads that classify count their hits, for the accuracy the trainer reports.</summary>
internal static class Classification
{
    /// <summary>Rows whose largest of <paramref name="classCount"/> logits (the first, on ties) is the target class index.</summary>
    public static long CountArgMaxHits<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, int rows, int classCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long correct = 0;
        for (int r = 0; r < rows; r++)
        {
            if (ArgMax(logits.Slice(r * classCount, classCount)) == int.CreateTruncating(targets[r]))
                correct++;
        }
        return correct;
    }

    /// <summary>Rows whose logit is positive exactly when the 0/1 target is 1.</summary>
    public static long CountSignHits<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long correct = 0;
        for (int r = 0; r < logits.Length; r++)
        {
            if ((logits[r] > T.Zero) == (targets[r] > T.CreateChecked(0.5)))
                correct++;
        }
        return correct;
    }

    /// <summary>The index of the largest value; the first one on ties.</summary>
    public static int ArgMax<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int best = 0;
        for (int c = 1; c < values.Length; c++)
        {
            if (values[c] > values[best])
                best = c;
        }
        return best;
    }
}
