namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Scores predicted tag sequences against labelled ones, span by span, by conlleval's rules (see
/// <see cref="TaggingMetrics"/>): reads both columns of every row, recognises the scheme from the labelled
/// tags of the whole data set, then counts.
/// </summary>
/// <remarks>
/// The scheme is read from the letters of the labelled tags only (<see cref="TagScheme.DetectLetters"/>):
/// IOB1 and BIO give the same entities under conlleval's rules, so the evaluator need not tell them apart, and
/// a BIO data set with an I- slip is scored rather than refused. When the labels hold no tag but O, the
/// predicted tags decide. Every predicted tag must belong to that scheme.
/// </remarks>
internal static class TaggingEvaluator
{
    /// <summary>Scores column <paramref name="predictedLabelColumnName"/> of <paramref name="data"/> against <paramref name="labelColumnName"/>.</summary>
    public static TaggingMetrics Evaluate(IDataView data, string labelColumnName, string predictedLabelColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labelColumnName);
        ArgumentNullException.ThrowIfNull(predictedLabelColumnName);
        var label = TagSequenceColumn.From(data.Schema, labelColumnName, "label", nameof(labelColumnName));
        var predicted = TagSequenceColumn.From(data.Schema, predictedLabelColumnName, "predicted label", nameof(predictedLabelColumnName));

        var tags = new TagTable();
        var goldRows = new List<int[]>();
        var predictedRows = new List<int[]>();
        DataViewSchema.Column[] columns = label.Column.Index == predicted.Column.Index ? [label.Column] : [label.Column, predicted.Column];
        using (DataViewRowCursor cursor = data.GetRowCursor(columns))
        {
            Func<int[]> getGold = label.CreateGetter(cursor, tags);
            Func<int[]> getPredicted = predicted.CreateGetter(cursor, tags);
            while (cursor.MoveNext())
            {
                int[] gold = getGold();
                int[] prediction = getPredicted();
                if (gold.Length != prediction.Length)
                {
                    throw new InvalidOperationException(
                        $"Columns '{labelColumnName}' and '{predictedLabelColumnName}', row {cursor.Position}: " +
                        $"{gold.Length} tags against {prediction.Length}; expected one prediction per tag.");
                }
                goldRows.Add(gold);
                predictedRows.Add(prediction);
            }
        }
        return Score(tags, goldRows, predictedRows, labelColumnName, predictedLabelColumnName);
    }

    /// <summary>Scores sentences of tags given as text (rows in order); the names are those of the columns in messages.</summary>
    public static TaggingMetrics Evaluate(
        IReadOnlyList<string[]> gold, IReadOnlyList<string[]> predicted, string labelColumnName = "Label", string predictedLabelColumnName = "PredictedLabel")
    {
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"{gold.Count} labelled sentences against {predicted.Count} predicted; expected one prediction per sentence.", nameof(predicted));
        var tags = new TagTable();
        var goldRows = new List<int[]>();
        var predictedRows = new List<int[]>();
        for (int row = 0; row < gold.Count; row++)
        {
            if (gold[row].Length != predicted[row].Length)
            {
                throw new InvalidOperationException(
                    $"Columns '{labelColumnName}' and '{predictedLabelColumnName}', row {row}: " +
                    $"{gold[row].Length} tags against {predicted[row].Length}; expected one prediction per tag.");
            }
            goldRows.Add(IdsOf(tags, gold[row], labelColumnName, row));
            predictedRows.Add(IdsOf(tags, predicted[row], predictedLabelColumnName, row));
        }
        return Score(tags, goldRows, predictedRows, labelColumnName, predictedLabelColumnName);
    }

    private static TaggingMetrics Score(
        TagTable tags, List<int[]> goldRows, List<int[]> predictedRows, string labelColumnName, string predictedLabelColumnName)
    {
        int[] firstGoldRow = FirstRowOfEachTag(tags, goldRows);
        int[] firstPredictedRow = FirstRowOfEachTag(tags, predictedRows);
        string[] goldTags = TagsIn(tags, firstGoldRow);
        string[] predictedTags = TagsIn(tags, firstPredictedRow);
        bool goldHasEntities = goldTags.Any(tag => tag != TagScheme.OutsideTag);
        string schemeColumn = goldHasEntities ? labelColumnName : predictedLabelColumnName;
        if (!TagScheme.TryDetectLetters(goldHasEntities ? goldTags : predictedTags, out TagSchemeKind kind, out string? problem))
        {
            throw new ArgumentException(
                $"Column '{schemeColumn}' does not hold tags of one scheme: {char.ToLowerInvariant(problem[0])}{problem[1..]}", "data");
        }

        for (int tag = 0; tag < tags.Tags.Count; tag++)
        {
            if (!TagScheme.TryParse(kind, tags.Tags[tag], out _, out _))
            {
                // Only a predicted tag can misfit: the scheme was read from every labelled tag.
                string scheme = kind == TagSchemeKind.Bio ? "BIO (IOB2) or IOB1" : TagScheme.NameOf(kind);
                throw new ArgumentException(
                    $"Column '{predictedLabelColumnName}', row {firstPredictedRow[tag]}: tag '{tags.Tags[tag]}' does not belong to the " +
                    $"{scheme} scheme of column '{schemeColumn}'; expected {TagScheme.LettersOf(kind)}.", "data");
            }
        }

        var counts = new TaggingCounts(TagScheme.Create(kind, tags.Tags));
        for (int row = 0; row < goldRows.Count; row++)
            counts.Add(goldRows[row], predictedRows[row]);
        return counts.ToMetrics();
    }

    private static int[] IdsOf(TagTable tags, string[] sentence, string columnName, int row)
    {
        var ids = new int[sentence.Length];
        for (int position = 0; position < sentence.Length; position++)
        {
            if (string.IsNullOrWhiteSpace(sentence[position]))
                throw new InvalidOperationException($"Column '{columnName}', row {row}: the tag at position {position} is empty; expected a tag such as O or B-person.");
            ids[position] = tags.IdOf(sentence[position]);
        }
        return ids;
    }

    /// <summary>The first row each tag appears in, by tag number; −1 for tags the rows never hold.</summary>
    private static int[] FirstRowOfEachTag(TagTable tags, List<int[]> rows)
    {
        var firstRow = new int[tags.Tags.Count];
        Array.Fill(firstRow, -1);
        for (int row = rows.Count - 1; row >= 0; row--)
        {
            foreach (int tag in rows[row])
                firstRow[tag] = row;
        }
        return firstRow;
    }

    private static string[] TagsIn(TagTable tags, int[] firstRow) =>
        [.. Enumerable.Range(0, tags.Tags.Count).Where(tag => firstRow[tag] >= 0).Select(tag => tags.Tags[tag])];
}
