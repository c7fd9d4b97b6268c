using System.Collections.ObjectModel;

namespace Microsoft.ML.Lstm;

/// <summary>
/// How well a tagger found entities (named entities, chunks): span-level precision, recall and F1, per
/// entity type and micro-averaged, and token accuracy, counted by the rules of conlleval, the CoNLL-2000
/// shared task's scorer. Returned by <c>mlContext.MulticlassClassification.EvaluateTagging</c>.
/// </summary>
/// <remarks>
/// <para>Each row holds one sentence; entities never cross rows. An entity is predicted correctly only when a
/// labelled entity has exactly the same first token, last token and type; a predicted entity one token too long,
/// or of another type, counts as wrong (one predicted, none correct) and the labelled one as missed.</para>
/// <para>Entities are read from the tags by conlleval's rules (its <c>startOfChunk</c> and <c>endOfChunk</c>,
/// in the extended form that reads IOBES): B-X always begins an entity, so B-PER I-PER B-PER is two;
/// an I-X after O, at the start of a sentence or after a tag of another type begins one, as in IOB1 (in BIO
/// data such an I-X is a slip, and conlleval scores it as an entity rather than dropping it); a change of type
/// ends one. E-X/L-X end and S-X/U-X make one-token entities. The scheme (BIO, IOB1, IOBES, BILOU, or tags
/// without prefixes) is recognised from the labelled tags; when they hold no tag but O, from the predicted ones.
/// With tags without prefixes (part-of-speech tags, for instance), every tag other than O is its own entity
/// type and every token carrying one is a one-token entity, as conlleval's <c>-r</c> reads them.</para>
/// <para>Scores are fractions from 0 to 1 (conlleval prints percentages). Precision with no predicted entity,
/// recall with no labelled entity, and F1 when precision and recall are both 0 are 0, as conlleval prints 0.00.
/// Micro-averaged scores pool the counts of every type; they are what conlleval's "overall" line reports.</para>
/// </remarks>
public sealed class TaggingMetrics
{
    internal TaggingMetrics(long tokenCount, long correctTagCount, IEnumerable<TaggingEntityMetrics> perEntityType)
    {
        var byType = new SortedDictionary<string, TaggingEntityMetrics>(StringComparer.Ordinal);
        foreach (TaggingEntityMetrics metrics in perEntityType)
        {
            byType.Add(metrics.EntityType, metrics);
            GoldEntityCount += metrics.GoldCount;
            PredictedEntityCount += metrics.PredictedCount;
            CorrectEntityCount += metrics.CorrectCount;
        }
        PerEntityType = new ReadOnlyDictionary<string, TaggingEntityMetrics>(byType);
        TokenCount = tokenCount;
        CorrectTagCount = correctTagCount;
        TokenAccuracy = TaggingEntityMetrics.Fraction(correctTagCount, tokenCount);
        MicroPrecision = TaggingEntityMetrics.Fraction(CorrectEntityCount, PredictedEntityCount);
        MicroRecall = TaggingEntityMetrics.Fraction(CorrectEntityCount, GoldEntityCount);
        MicroF1Score = TaggingEntityMetrics.HarmonicMean(MicroPrecision, MicroRecall);
    }

    /// <summary>
    /// Correct entities over predicted entities, all types pooled (conlleval's overall precision), from 0 to 1;
    /// 0 when no entity was predicted.
    /// </summary>
    public double MicroPrecision { get; }

    /// <summary>
    /// Correct entities over labelled entities, all types pooled (conlleval's overall recall), from 0 to 1;
    /// 0 when the labels hold no entity.
    /// </summary>
    public double MicroRecall { get; }

    /// <summary>
    /// The harmonic mean of <see cref="MicroPrecision"/> and <see cref="MicroRecall"/> (conlleval's overall FB1),
    /// from 0 to 1; 0 when both are 0.
    /// </summary>
    public double MicroF1Score { get; }

    /// <summary>Tokens whose predicted tag equals the labelled tag (prefix and type), over all tokens; 0 when there are none.</summary>
    public double TokenAccuracy { get; }

    /// <summary>Entities in the label column.</summary>
    public long GoldEntityCount { get; }

    /// <summary>Entities in the predicted column.</summary>
    public long PredictedEntityCount { get; }

    /// <summary>Predicted entities that match a labelled entity exactly (first token, last token and type).</summary>
    public long CorrectEntityCount { get; }

    /// <summary>Tokens scored: the tags of every row.</summary>
    public long TokenCount { get; }

    /// <summary>Tokens whose predicted tag equals the labelled tag.</summary>
    public long CorrectTagCount { get; }

    /// <summary>
    /// The scores of each entity type found in either column, by type name (enumerated in ordinal order of the
    /// names, as conlleval sorts its lines).
    /// </summary>
    public IReadOnlyDictionary<string, TaggingEntityMetrics> PerEntityType { get; }

    /// <summary>A short summary, as conlleval prints its overall line.</summary>
    public override string ToString() =>
        $"{TokenCount} tokens, {GoldEntityCount} labelled entities, {PredictedEntityCount} predicted, {CorrectEntityCount} correct; " +
        $"token accuracy {TokenAccuracy:P2}, precision {MicroPrecision:P2}, recall {MicroRecall:P2}, F1 {MicroF1Score:P2}";
}
