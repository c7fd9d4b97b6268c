using Microsoft.ML.Lstm;
using Microsoft.ML.Lstm.MLNet;

namespace Microsoft.ML;

/// <summary>
/// Sequence tagging entries in <c>MLContext</c>'s catalogs: <c>MulticlassClassification.EvaluateTagging</c>
/// scores predicted tags against labelled ones entity by entity, by conlleval's rules.
/// </summary>
/// <example>
/// <code>
/// var scored = model.Transform(testData);
/// TaggingMetrics metrics = mlContext.MulticlassClassification.EvaluateTagging(scored, labelColumnName: "Tags");
/// Console.WriteLine($"F1 {metrics.MicroF1Score:P1}, person F1 {metrics.PerEntityType["person"].F1Score:P1}");
/// </code>
/// </example>
public static class TaggingCatalog
{
    /// <summary>
    /// Scores a tagger's predictions entity by entity, as conlleval (the CoNLL-2000 shared task's scorer) does:
    /// precision, recall and F1 per entity type and micro-averaged, and token accuracy (see <see cref="TaggingMetrics"/>).
    /// Each row is one sentence; the tag scheme (BIO, IOB1, IOBES, BILOU, or tags without prefixes) is recognised from
    /// the labelled tags of the whole data set.
    /// </summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="data">The scored data: one labelled and one predicted tag sequence per row.</param>
    /// <param name="labelColumnName">
    /// The labelled tags: a vector of keys with text key values (tags mapped by <c>MapValueToKey</c>) or a vector of text.
    /// </param>
    /// <param name="predictedLabelColumnName">
    /// The predicted tags, one per labelled tag: a vector of keys with text key values (a tagger's <c>PredictedLabel</c>)
    /// or a vector of text. Keys are compared through their text, so the two columns need not share a key order.
    /// </param>
    /// <returns>The span-level and token-level scores.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing, or is not a vector of text or of keys with text values.</exception>
    /// <exception cref="ArgumentException">The labelled tags mix schemes, or a predicted tag does not belong to theirs.</exception>
    /// <exception cref="InvalidOperationException">
    /// A row holds a different number of predicted and labelled tags, a missing key (0), or an empty tag; the message names the column and the row.
    /// </exception>
    public static TaggingMetrics EvaluateTagging(
        this MulticlassClassificationCatalog catalog,
        IDataView data,
        string labelColumnName = "Label",
        string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return TaggingEvaluator.Evaluate(data, labelColumnName, predictedLabelColumnName);
    }
}
