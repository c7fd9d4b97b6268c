using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Builds the <see cref="TextVocabulary"/> of a text column from the training texts: the one pass over them that every
/// estimator reading raw text makes (the trainers, and <c>FeaturizeByLstm</c>), checking that each row holds a word.
/// </summary>
internal static class TextColumnVocabulary
{
    private const int RowsPerCancellationCheck = 1024;

    /// <summary>
    /// Counts the words of <paramref name="column"/> over every row of <paramref name="data"/> and keeps those the
    /// minimum count and maximum size allow. Returns the vocabulary with the line the log gets.
    /// </summary>
    /// <param name="data">The training data.</param>
    /// <param name="column">Its text column.</param>
    /// <param name="tokenizer">How text is split into words.</param>
    /// <param name="minimumCount">A word is kept when the texts hold it at least this many times (the option <c>MinimumWordCount</c>).</param>
    /// <param name="maximumSize">At most this many words are kept, the most frequent; 0 keeps all (the option <c>MaximumVocabularySize</c>).</param>
    /// <param name="cancellation">Checked every thousand rows.</param>
    /// <param name="expectedRows">What the message for data without rows says was expected, e.g. "at least one sequence with a label".</param>
    /// <exception cref="InvalidOperationException">A row holds no word (the message names the column and the row).</exception>
    /// <exception cref="ArgumentException">The data has no rows, or no word is frequent enough.</exception>
    public static (TextVocabulary Vocabulary, string Report) Build(
        IDataView data, DataViewSchema.Column column, TextTokenizer tokenizer, int minimumCount, int maximumSize, CancellationToken cancellation, string expectedRows)
    {
        var builder = new TextVocabulary.Builder(tokenizer);
        ReadOnlyMemory<char> text = default;
        long rows = 0;
        using (DataViewRowCursor cursor = data.GetRowCursor([column]))
        {
            ValueGetter<ReadOnlyMemory<char>> getText = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            for (; cursor.MoveNext(); rows++)
            {
                if (rows % RowsPerCancellationCheck == 0)
                    cancellation.ThrowIfCancellationRequested();
                getText(ref text);
                if (builder.Add(text.Span) == 0)
                    throw SequenceRowReader.NoWords(column.Name, cursor.Position, " of the training data", text, tokenizer.KeepPunctuation);
            }
        }
        if (rows == 0)
            throw new ArgumentException($"The training data has no rows; expected {expectedRows}.", "trainData");
        TextVocabulary vocabulary = builder.Build(minimumCount, maximumSize);
        if (vocabulary.Count == 0)
        {
            throw new ArgumentException(
                $"The training data's text column '{column.Name}' holds {builder.DistinctWords} distinct words, none of them at least " +
                $"{minimumCount} times (MinimumWordCount); expected at least one word in the vocabulary.", "trainData");
        }
        var limits = new List<string>();
        if (minimumCount > 1)
            limits.Add($"seen at least {minimumCount} times");
        if (maximumSize > 0)
            limits.Add($"the {maximumSize:N0} most frequent");
        string kept = limits.Count == 0 ? "" : $" ({string.Join(", ", limits)})";
        return (vocabulary, $"Text column '{column.Name}': {vocabulary.Count:N0} words kept of {builder.DistinctWords:N0} distinct{kept}, " +
            $"{builder.Tokenizer.Describe()}; other words are the unknown token.");
    }
}
