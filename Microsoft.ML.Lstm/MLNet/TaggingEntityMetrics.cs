namespace Microsoft.ML.Lstm;

/// <summary>
/// Span-level scores of one entity type (one tag, for tags without prefixes), counted by conlleval's rules:
/// see <see cref="TaggingMetrics"/>.
/// </summary>
public sealed class TaggingEntityMetrics
{
    internal TaggingEntityMetrics(string entityType, long goldCount, long predictedCount, long correctCount)
    {
        EntityType = entityType;
        GoldCount = goldCount;
        PredictedCount = predictedCount;
        CorrectCount = correctCount;
        Precision = Fraction(correctCount, predictedCount);
        Recall = Fraction(correctCount, goldCount);
        F1Score = HarmonicMean(Precision, Recall);
    }

    /// <summary>The entity type: the tags' text after the prefix ("person" for B-person and I-person), or the whole tag when tags have no prefixes.</summary>
    public string EntityType { get; }

    /// <summary>Entities of this type in the label column.</summary>
    public long GoldCount { get; }

    /// <summary>Entities of this type in the predicted column.</summary>
    public long PredictedCount { get; }

    /// <summary>Predicted entities of this type that match a labelled one exactly: the same first and last token.</summary>
    public long CorrectCount { get; }

    /// <summary><see cref="CorrectCount"/> / <see cref="PredictedCount"/>, from 0 to 1; 0 when nothing of this type was predicted.</summary>
    public double Precision { get; }

    /// <summary><see cref="CorrectCount"/> / <see cref="GoldCount"/>, from 0 to 1; 0 when the labels hold nothing of this type.</summary>
    public double Recall { get; }

    /// <summary>The harmonic mean of <see cref="Precision"/> and <see cref="Recall"/>, from 0 to 1; 0 when both are 0.</summary>
    public double F1Score { get; }

    /// <summary>A short summary, as conlleval prints a type's line.</summary>
    public override string ToString() =>
        $"{EntityType}: precision {Precision:P2}, recall {Recall:P2}, F1 {F1Score:P2} ({CorrectCount} correct of {PredictedCount} predicted, {GoldCount} labelled)";

    /// <summary><paramref name="part"/> / <paramref name="whole"/>, or 0 when <paramref name="whole"/> is 0 (as conlleval prints 0.00).</summary>
    internal static double Fraction(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    /// <summary>2·p·r / (p + r), or 0 when p + r is 0 (as conlleval prints 0.00).</summary>
    internal static double HarmonicMean(double precision, double recall) =>
        precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
}
